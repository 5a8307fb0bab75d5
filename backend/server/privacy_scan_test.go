package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestPrivateDataStaysOffTheNetwork is the network half of acceptance 5
// (backend/privacy/scan_test.go scans the database): after the whole
// private flow (records, a blob, a grant, a hard revoke), the CAR of
// getRepo, every firehose frame from cursor 0 and listBlobs hold no
// private plaintext, no rkey of a private record nor its MAC, no key in
// clear, not even the private collection's name; the public key record is
// there; public getBlob does not serve the private blob.
func TestPrivateDataStaysOffTheNetwork(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := context.Background()
		pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
		alice, bob := prNewAccount(t, pds, "alice.test"), prNewAccount(t, pds, "bob.test")
		net := prNewNet(pds.PLCURL)
		own := net.owner(alice)
		secrets := map[string][]byte{"alice's seed": alice.id.Seed(), "bob's seed": bob.id.Seed(),
			"record plaintext": []byte("PLAINTEXT-MARKER"), "blob plaintext": []byte("BLOB-PLAINTEXT-MARKER"),
			"private collection": []byte(prDiary)}
		for _, rk := range []string{"3kzqsecretrkey1", "3kzqsecretrkey2"} {
			_, err := own.Put(ctx, prDiary, rk, prNote(t, map[string]any{"text": "PLAINTEXT-MARKER-" + rk}))
			prMust(t, err)
			secrets["rkey "+rk] = []byte(rk)
		}
		ref, err := own.UploadBlob(ctx, bytes.NewReader(bytes.Repeat([]byte("BLOB-PLAINTEXT-MARKER "), 5000)), "text/plain")
		prMust(t, err)
		secrets["blob key"], secrets["private blob CID"] = ref.Key, []byte(ref.CID)
		_, err = own.Grant(ctx, prDiary, bob.did, bob.id.Public())
		prMust(t, err)
		_, err = own.Revoke(ctx, prDiary, bob.did, true)
		prMust(t, err)
		ck, _, err := own.Keys(ctx, prDiary, true)
		prMust(t, err)
		secrets["MAC key"] = ck.MACKey()
		for _, e := range ck.Epochs() {
			k, err := ck.EpochKey(e)
			prMust(t, err)
			secrets[fmt.Sprint("epoch key ", e)] = k
		}
		for _, rk := range []string{"3kzqsecretrkey1", "3kzqsecretrkey2"} {
			secrets["rkey MAC of "+rk] = ck.RKeyMAC(rk)
		}
		if st, out := alice.c.Post("END-MARKER public post"); st != http.StatusOK {
			t.Fatalf("public post: %d %v", st, out)
		}

		st, car := alice.c.DoRaw("com.atproto.sync.getRepo", "did="+url.QueryEscape(alice.did), nil)
		if st != http.StatusOK {
			t.Fatalf("getRepo: %d", st)
		}
		prScan(t, "the getRepo CAR", car, secrets, alice.id.Public().Key)
		prScan(t, "the firehose", prFirehose(t, pds), secrets, alice.id.Public().Key)
		st, blobs := alice.c.DoRaw("com.atproto.sync.listBlobs", "did="+url.QueryEscape(alice.did), nil)
		if st != http.StatusOK || !bytes.Contains(blobs, []byte(`"cids"`)) {
			t.Fatalf("listBlobs: %d %s", st, blobs)
		}
		prScan(t, "listBlobs", blobs, secrets, nil)
		if st, _ := alice.c.DoRaw("com.atproto.sync.getBlob", "did="+url.QueryEscape(alice.did)+"&cid="+ref.CID, nil); st != http.StatusNotFound {
			t.Fatalf("public getBlob of the private blob: %d, want 404", st)
		}
	})
}

// prFirehose reads every firehose frame from cursor 0 up to the one
// carrying the public END-MARKER post.
func prFirehose(t *testing.T, pds *testpds.PDS) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u := strings.Replace(pds.URL, "http://", "ws://", 1) + "/xrpc/com.atproto.sync.subscribeRepos?cursor=0"
	conn, _, err := websocket.Dial(ctx, u, nil)
	prMust(t, err)
	defer conn.CloseNow()
	conn.SetReadLimit(16 << 20)
	var dump []byte
	for !bytes.Contains(dump, []byte("END-MARKER")) {
		_, frame, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("firehose after %d bytes, before the END-MARKER post: %v", len(dump), err)
		}
		dump = append(dump, frame...)
	}
	return dump
}

// prScan fails the test for every secret found in dump, raw, hex or
// base64; public (when given) must be found, so the scan is known to see
// the data.
func prScan(t *testing.T, what string, dump []byte, secrets map[string][]byte, public []byte) {
	t.Helper()
	if public != nil && !bytes.Contains(dump, public) {
		t.Fatalf("%s does not even hold the public key record's key", what)
	}
	for name, s := range secrets {
		for form, enc := range map[string][]byte{
			"raw": s, "hex": []byte(hex.EncodeToString(s)),
			"base64": []byte(base64.StdEncoding.EncodeToString(s)), "base64url": []byte(base64.RawURLEncoding.EncodeToString(s)),
		} {
			if bytes.Contains(dump, enc) {
				t.Errorf("%s holds the %s (%s)", what, name, form)
			}
		}
	}
}
