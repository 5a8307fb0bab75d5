package xrpc_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// privClient calls a test PDS over HTTP with a bearer token.
type privClient struct {
	t     *testing.T
	base  string
	token string
}

// call sends a request and returns the status and body.
func (c privClient) call(method, nsid string, q url.Values, ctype string, body []byte) (int, []byte) {
	c.t.Helper()
	u := c.base + "/xrpc/" + nsid
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// get calls a query and decodes a 200 answer into out.
func (c privClient) get(nsid string, q url.Values, out any) int {
	c.t.Helper()
	status, b := c.call(http.MethodGet, nsid, q, "", nil)
	if status == http.StatusOK && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s: %v (%s)", nsid, err, b)
		}
	}
	return status
}

// post calls a JSON procedure and decodes a 200 answer into out.
func (c privClient) post(nsid string, in, out any) (int, []byte) {
	c.t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		c.t.Fatal(err)
	}
	status, b := c.call(http.MethodPost, nsid, nil, "application/json", body)
	if status == http.StatusOK && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s: %v (%s)", nsid, err, b)
		}
	}
	return status, b
}

// serviceToken asks the caller's PDS for a service-auth JWT for aud and lxm.
func (c privClient) serviceToken(aud, lxm string) string {
	c.t.Helper()
	var tok struct{ Token string }
	if st := c.get("com.atproto.server.getServiceAuth", url.Values{"aud": {aud}, "lxm": {lxm}}, &tok); st != http.StatusOK || tok.Token == "" {
		c.t.Fatalf("getServiceAuth %s: %d", lxm, st)
	}
	return tok.Token
}

type sealedGrantsOut struct {
	Grants []struct {
		Epoch  uint64 `json:"epoch"`
		Sealed string `json:"sealed"`
	} `json:"grants"`
}

func (o sealedGrantsOut) sealed(t *testing.T) []crypt.SealedGrant {
	t.Helper()
	out := make([]crypt.SealedGrant, len(o.Grants))
	for i, g := range o.Grants {
		b, err := base64.RawURLEncoding.DecodeString(g.Sealed)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = crypt.SealedGrant{Epoch: g.Epoch, Sealed: b}
	}
	return out
}

type privRecordOut struct {
	Collection string `json:"collection"`
	RKeyMAC    string `json:"rkeyMac"`
	Epoch      uint64 `json:"epoch"`
	CID        string `json:"cid"`
	Envelope   string `json:"envelope"`
}

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// privateWorld is two PDSes sharing a PLC directory: alice (the owner) on
// A; bob (granted) and dan (never granted) on B; each with an identity.
type privateWorld struct {
	a, b            *testpds.PDS
	aDID            string // A's service DID (the aud of service auth)
	alice, bob, dan privClient
	aliceDID        string
	bobDID, danDID  string
	aliceID, bobID  *crypt.Identity
	danID           *crypt.Identity
}

func newPrivateWorld(t *testing.T, dbURL func(testing.TB) string) *privateWorld {
	t.Helper()
	plc := testpds.StartPLC(t)
	w := &privateWorld{
		a: testpds.Start(t, testpds.Options{DBURL: dbURL(t), PLCURL: plc}),
		b: testpds.Start(t, testpds.Options{DBURL: dbURL(t), PLCURL: plc}),
	}
	var tok string
	w.aliceDID, tok = account(t, w.a, "alice.test")
	w.alice = privClient{t, w.a.URL, tok}
	w.bobDID, tok = account(t, w.b, "bob.test")
	w.bob = privClient{t, w.b.URL, tok}
	w.danDID, tok = account(t, w.b, "dan.test")
	w.dan = privClient{t, w.b.URL, tok}
	var desc struct{ DID string }
	if st := (privClient{t, w.a.URL, ""}).get("com.atproto.server.describeServer", nil, &desc); st != http.StatusOK {
		t.Fatalf("describeServer: %d", st)
	}
	w.aDID = desc.DID
	identity := func(p *testpds.PDS, did string) *crypt.Identity {
		n, err := p.Server.Privacy().CreateIdentity(context.Background(), did)
		if err != nil {
			t.Fatal(err)
		}
		id, err := crypt.ParseRecoveryCode(n.RecoveryCode)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	w.aliceID, w.bobID, w.danID = identity(w.a, w.aliceDID), identity(w.b, w.bobDID), identity(w.b, w.danDID)
	return w
}

// asGrantee returns a client of A authenticated as a grantee on B with a
// fresh single-use service-auth JWT for lxm.
func (w *privateWorld) asGrantee(c privClient, lxm string) privClient {
	return privClient{c.t, w.a.URL, c.serviceToken(w.aDID, lxm)}
}

// TestPrivateRecordsOverHTTP: an owner's client seals a record and a blob
// with crypt and stores them over XRPC; a grantee on another PDS fetches
// its sealed grant with service auth, and decrypts both; a replayed JWT,
// an ungranted account and a revoked grantee are refused.
func TestPrivateRecordsOverHTTP(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := context.Background()
		w := newPrivateWorld(t, dbURL)
		const coll = "com.example.diary"
		ns := "dev.hearthpds.private."
		// Each new identity published its key record in its owner's repo.
		for _, k := range []struct {
			pds *testpds.PDS
			did string
			id  *crypt.Identity
		}{{w.a, w.aliceDID, w.aliceID}, {w.b, w.bobDID, w.bobID}} {
			var rec struct {
				Value json.RawMessage `json:"value"`
			}
			q := url.Values{"repo": {k.did}, "collection": {crypt.KeyRecordNSID}, "rkey": {crypt.KeyRecordRKey}}
			if st := (privClient{t, k.pds.URL, ""}).get("com.atproto.repo.getRecord", q, &rec); st != http.StatusOK {
				t.Fatalf("key record of %s: %d", k.did, st)
			}
			if pub, err := crypt.ParseKeyRecord(rec.Value); err != nil || pub.KeyID() != k.id.Public().KeyID() {
				t.Fatalf("key record of %s: %v (%s)", k.did, err, rec.Value)
			}
		}
		if _, err := w.a.Server.Privacy().CreateIdentity(ctx, w.aliceDID); !errors.Is(err, privacy.ErrIdentityExists) {
			t.Fatalf("second CreateIdentity: %v", err)
		}
		// The owner resolves bob's key from B's repo and grants him (epoch
		// 1: the owner is grantee #0).
		bobKey, err := w.a.Server.Privacy().ResolveGranteeKey(ctx, w.bobDID)
		if err != nil || bobKey.KeyID() != w.bobID.Public().KeyID() {
			t.Fatalf("resolve bob's key: %v", err)
		}
		if _, err := w.a.Server.Privacy().Grant(ctx, w.aliceDID, coll, w.bobDID, bobKey); err != nil {
			t.Fatal(err)
		}

		// The owner's client opens its own grant and seals a record.
		var own sealedGrantsOut
		if st := w.alice.get(ns+"getGrantKeys", url.Values{"repo": {w.aliceDID}, "collection": {coll}}, &own); st != http.StatusOK {
			t.Fatalf("owner getGrantKeys: %d", st)
		}
		ck, err := crypt.KeysFromGrants(w.aliceID, w.aliceDID, w.aliceDID, coll, own.sealed(t))
		if err != nil {
			t.Fatal(err)
		}
		secret := `{"text":"the secret diary entry"}`
		mac, env, err := ck.SealRecord(1, "3kdiary1", json.RawMessage(secret))
		if err != nil {
			t.Fatal(err)
		}
		macS := base64.RawURLEncoding.EncodeToString(mac)
		var put privRecordOut
		if st, b := w.alice.post(ns+"putRecord", map[string]any{"collection": coll, "rkeyMac": macS,
			"envelope": base64.RawURLEncoding.EncodeToString(env)}, &put); st != http.StatusOK || put.Epoch != 1 || put.RKeyMAC != macS {
			t.Fatalf("putRecord: %d %s", st, b)
		}
		var got privRecordOut
		if st := w.alice.get(ns+"getEncryptedRecord", url.Values{"repo": {w.aliceDID}, "collection": {coll}, "rkeyMac": {macS}}, &got); st != http.StatusOK {
			t.Fatalf("owner getEncryptedRecord: %d", st)
		}
		if pt, err := ck.OpenRecord(mac, unb64(t, got.Envelope)); err != nil || pt.RKey != "3kdiary1" || string(pt.Value) != secret {
			t.Fatalf("owner round trip: %+v, %v", pt, err)
		}

		// The public repo refuses records of the private collection.
		rec := map[string]any{"$type": coll, "text": "public?"}
		for _, pw := range []struct {
			nsid string
			body map[string]any
		}{
			{"com.atproto.repo.createRecord", map[string]any{"repo": w.aliceDID, "collection": coll, "record": rec}},
			{"com.atproto.repo.putRecord", map[string]any{"repo": w.aliceDID, "collection": coll, "rkey": "3kdiary1", "record": rec}},
			{"com.atproto.repo.applyWrites", map[string]any{"repo": w.aliceDID, "writes": []any{
				map[string]any{"$type": "com.atproto.repo.applyWrites#create", "collection": "com.example.public", "value": map[string]any{"$type": "com.example.public"}},
				map[string]any{"$type": "com.atproto.repo.applyWrites#create", "collection": coll, "value": rec}}}},
		} {
			st, b := w.alice.post(pw.nsid, pw.body, nil)
			if st != http.StatusBadRequest || !strings.Contains(string(b), `"PrivateCollection"`) || !strings.Contains(string(b), coll) {
				t.Errorf("public %s to a private collection: %d %s", pw.nsid, st, b)
			}
		}
		if st, b := w.alice.post("com.atproto.repo.createRecord", map[string]any{"repo": w.aliceDID, "collection": "com.example.public",
			"record": map[string]any{"$type": "com.example.public"}}, nil); st != http.StatusOK {
			t.Errorf("public createRecord elsewhere: %d %s", st, b)
		}

		// An encrypted blob, stored and served as ciphertext.
		blobKey := make([]byte, crypt.EpochKeySize)
		_, _ = rand.Read(blobKey)
		plain := bytes.Repeat([]byte("private photo bytes "), 5000)
		var ct bytes.Buffer
		res, err := crypt.EncryptBlob(&ct, bytes.NewReader(plain), blobKey, w.aliceDID)
		if err != nil {
			t.Fatal(err)
		}
		st, b := w.alice.call(http.MethodPost, ns+"uploadBlob", nil, "application/octet-stream", ct.Bytes())
		if st != http.StatusOK || !strings.Contains(string(b), res.CID.String()) {
			t.Fatalf("uploadBlob: %d %s (want %s)", st, b, res.CID)
		}
		if st, _ := w.alice.call(http.MethodGet, "com.atproto.sync.getBlob", url.Values{"did": {w.aliceDID}, "cid": {res.CID.String()}}, "", nil); st != http.StatusNotFound {
			t.Errorf("public getBlob served a private blob: %d", st)
		}

		// bob, on B, gets his grant from A with service auth, and decrypts.
		var bobs sealedGrantsOut
		tok := w.bob.serviceToken(w.aDID, ns+"getGrantKeys")
		viaB := privClient{t, w.a.URL, tok}
		if st := viaB.get(ns+"getGrantKeys", url.Values{"repo": {w.aliceDID}, "collection": {coll}}, &bobs); st != http.StatusOK || len(bobs.Grants) != 1 {
			t.Fatalf("grantee getGrantKeys: %d %+v", st, bobs)
		}
		if st := viaB.get(ns+"getGrantKeys", url.Values{"repo": {w.aliceDID}, "collection": {coll}}, nil); st != http.StatusUnauthorized {
			t.Errorf("replayed service-auth JWT: %d, want 401", st)
		}
		bck, err := crypt.KeysFromGrants(w.bobID, w.aliceDID, w.bobDID, coll, bobs.sealed(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := crypt.KeysFromGrants(w.danID, w.aliceDID, w.danDID, coll, bobs.sealed(t)); err == nil {
			t.Error("dan opened bob's leaked grant")
		}
		var list struct {
			Records []privRecordOut `json:"records"`
		}
		if st := w.asGrantee(w.bob, ns+"listEncryptedRecords").get(ns+"listEncryptedRecords", url.Values{"repo": {w.aliceDID}, "collection": {coll}}, &list); st != http.StatusOK || len(list.Records) != 1 {
			t.Fatalf("grantee listEncryptedRecords: %d %+v", st, list)
		}
		r := list.Records[0]
		if pt, err := bck.OpenRecord(unb64(t, r.RKeyMAC), unb64(t, r.Envelope)); err != nil || string(pt.Value) != secret {
			t.Fatalf("grantee decrypt: %+v, %v", pt, err)
		}
		st, ctGot := w.asGrantee(w.bob, ns+"getBlob").call(http.MethodGet, ns+"getBlob", url.Values{"repo": {w.aliceDID}, "cid": {res.CID.String()}}, "", nil)
		if st != http.StatusOK {
			t.Fatalf("grantee getBlob: %d %s", st, ctGot)
		}
		br, err := crypt.NewBlobReader(bytes.NewReader(ctGot), blobKey, w.aliceDID)
		if err != nil {
			t.Fatal(err)
		}
		if dec, err := io.ReadAll(br); err != nil || !bytes.Equal(dec, plain) {
			t.Fatalf("grantee blob decrypt: %d bytes, %v", len(dec), err)
		}

		// dan holds no grant: 403 everywhere.
		for _, m := range []string{"getGrantKeys", "listEncryptedRecords"} {
			if st := w.asGrantee(w.dan, ns+m).get(ns+m, url.Values{"repo": {w.aliceDID}, "collection": {coll}}, nil); st != http.StatusForbidden {
				t.Errorf("ungranted %s: %d, want 403", m, st)
			}
		}
		if st, _ := w.asGrantee(w.dan, ns+"getBlob").call(http.MethodGet, ns+"getBlob", url.Values{"repo": {w.aliceDID}, "cid": {res.CID.String()}}, "", nil); st != http.StatusForbidden {
			t.Errorf("ungranted getBlob: %d, want 403", st)
		}

		// The owner sees its grants, rotations and collections.
		var grants struct {
			Grants []struct{ Grantee string } `json:"grants"`
		}
		if st := w.alice.get(ns+"listGrants", url.Values{"collection": {coll}}, &grants); st != http.StatusOK || len(grants.Grants) != 2 {
			t.Errorf("listGrants: %d %+v", st, grants)
		}
		if _, err := w.a.Server.Privacy().Revoke(ctx, w.aliceDID, coll, w.bobDID, privacy.RevokeOptions{}); err != nil {
			t.Fatal(err)
		}
		// Revoked: nothing new, at any epoch.
		for _, m := range []string{"getGrantKeys", "listEncryptedRecords"} {
			if st := w.asGrantee(w.bob, ns+m).get(ns+m, url.Values{"repo": {w.aliceDID}, "collection": {coll}}, nil); st != http.StatusForbidden {
				t.Errorf("revoked %s: %d, want 403", m, st)
			}
		}
		var rots struct {
			Rotations []struct {
				Epoch  uint64
				Reason string
			} `json:"rotations"`
		}
		if st := w.alice.get(ns+"listRotations", url.Values{"collection": {coll}}, &rots); st != http.StatusOK || len(rots.Rotations) != 2 || rots.Rotations[1].Reason != "revoke" {
			t.Errorf("listRotations: %d %+v", st, rots)
		}
		var cols struct {
			Collections []struct {
				Collection string
				Epoch      uint64
			} `json:"collections"`
		}
		if st := w.alice.get(ns+"listCollections", nil, &cols); st != http.StatusOK || len(cols.Collections) != 1 || cols.Collections[0].Epoch != 2 {
			t.Errorf("listCollections: %d %+v", st, cols)
		}
		// A record sealed at the old epoch is refused after the rotation.
		if st, b := w.alice.post(ns+"putRecord", map[string]any{"collection": coll, "rkeyMac": macS,
			"envelope": base64.RawURLEncoding.EncodeToString(env)}, nil); st != http.StatusConflict {
			t.Errorf("stale-epoch putRecord: %d %s", st, b)
		}
		if st, _ := w.alice.post(ns+"deleteRecord", map[string]any{"collection": coll, "rkeyMac": macS}, nil); st != http.StatusOK {
			t.Errorf("deleteRecord: %d", st)
		}
		if st := w.alice.get(ns+"getEncryptedRecord", url.Values{"repo": {w.aliceDID}, "collection": {coll}, "rkeyMac": {macS}}, nil); st != http.StatusNotFound {
			t.Errorf("deleted record: %d", st)
		}
	})
}
