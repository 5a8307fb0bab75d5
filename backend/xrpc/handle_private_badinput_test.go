package xrpc_test

import (
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// TestBadInputPrivate: the dev.hearthpds.private methods refuse missing
// credentials and malformed input with clear 4xx errors, and readers that
// hold no grant with 403.
func TestBadInputPrivate(t *testing.T) {
	s := newSession(t) // carol
	ns := xrpc.PrivateNSIDPrefix
	mac := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	short := base64.RawURLEncoding.EncodeToString(make([]byte, 31))
	sealed, err := crypt.SealEnvelope(make([]byte, crypt.EpochKeySize), crypt.RecordContext{Owner: s.did, Collection: "com.example.note", RKeyMAC: make([]byte, 32), Epoch: 1}, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	env := base64.RawURLEncoding.EncodeToString(sealed)
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	post := func(name, method, body string, status int, errName string) badCase {
		return badCase{name: name, method: "POST", nsid: ns + method, body: body, auth: "user", status: status, errName: errName}
	}
	get := func(name, method, query string, status int, errName string) badCase {
		return badCase{name: name, method: "GET", nsid: ns + method, query: query, auth: "user", status: status, errName: errName}
	}
	for _, p := range []string{"putRecord", "deleteRecord"} {
		runBadCases(t, s, commonBodyCases(ns+p, "user"))
		runBadCases(t, s, []badCase{
			{name: "no auth", method: "POST", nsid: ns + p, body: "{}", status: 401, errName: "AuthRequired"},
			{name: "bad token", method: "POST", nsid: ns + p, body: "{}", auth: "bad", status: 401, errName: "InvalidToken"},
			{name: "refresh token", method: "POST", nsid: ns + p, body: "{}", auth: "refresh", status: 401, errName: "InvalidToken"},
			post("missing collection", p, `{"rkeyMac":"`+mac+`"}`, 400, "InvalidRequest"),
			post("collection not an nsid", p, `{"collection":"not an nsid","rkeyMac":"`+mac+`","envelope":"AQ"}`, 400, "InvalidRequest"),
			post("collection wrong type", p, `{"collection":5}`, 400, "InvalidRequest"),
			post("missing rkeyMac", p, `{"collection":"com.example.note"}`, 400, "InvalidRequest"),
			post("rkeyMac too short", p, `{"collection":"com.example.note","rkeyMac":"`+short+`","envelope":"AQ"}`, 400, "InvalidRequest"),
			post("rkeyMac not base64url", p, `{"collection":"com.example.note","rkeyMac":"!!!","envelope":"AQ"}`, 400, "InvalidRequest"),
		})
	}
	runBadCases(t, s, []badCase{
		post("missing envelope", "putRecord", `{"collection":"com.example.note","rkeyMac":"`+mac+`"}`, 400, "InvalidRequest"),
		post("envelope not base64url", "putRecord", `{"collection":"com.example.note","rkeyMac":"`+mac+`","envelope":"+/="}`, 400, "InvalidRequest"),
		post("envelope not an envelope", "putRecord", `{"collection":"com.example.note","rkeyMac":"`+mac+`","envelope":"AQID"}`, 400, "InvalidRequest"),
		post("collection without an epoch", "putRecord", `{"collection":"com.example.note","rkeyMac":"`+mac+`","envelope":"`+env+`"}`, 404, "NotFound"),
		post("delete of an absent record", "deleteRecord", `{"collection":"com.example.note","rkeyMac":"`+mac+`"}`, 200, ""),
	})
	for _, m := range []string{"getEncryptedRecord", "listEncryptedRecords", "getBlob", "getGrantKeys", "listCollections", "listGrants", "listRotations"} {
		runBadCases(t, s, []badCase{
			{name: "no auth", method: "GET", nsid: ns + m, status: 401, errName: "AuthRequired"},
			{name: "bad token", method: "GET", nsid: ns + m, auth: "bad", status: 401, errName: "InvalidToken"},
			{name: "POST on a query", method: "POST", nsid: ns + m, body: "{}", auth: "user", status: 405, errName: "InvalidRequest"},
		})
	}
	runBadCases(t, s, []badCase{
		get("getEncryptedRecord without repo", "getEncryptedRecord", q("collection", "com.example.note", "rkeyMac", mac), 400, "InvalidRequest"),
		get("getEncryptedRecord repo not a DID", "getEncryptedRecord", q("repo", "carol.test", "collection", "com.example.note", "rkeyMac", mac), 400, "InvalidRequest"),
		get("getEncryptedRecord bad collection", "getEncryptedRecord", q("repo", s.did, "collection", "nope", "rkeyMac", mac), 400, "InvalidRequest"),
		get("getEncryptedRecord without rkeyMac", "getEncryptedRecord", q("repo", s.did, "collection", "com.example.note"), 400, "InvalidRequest"),
		get("getEncryptedRecord short rkeyMac", "getEncryptedRecord", q("repo", s.did, "collection", "com.example.note", "rkeyMac", short), 400, "InvalidRequest"),
		get("getEncryptedRecord of a collection without epoch", "getEncryptedRecord", q("repo", s.did, "collection", "com.example.note", "rkeyMac", mac), 404, "NotFound"),
		get("getEncryptedRecord of another owner", "getEncryptedRecord", q("repo", nobody, "collection", "com.example.note", "rkeyMac", mac), 403, "Forbidden"),
		get("listEncryptedRecords bad limit", "listEncryptedRecords", q("repo", s.did, "collection", "com.example.note", "limit", "0"), 400, "InvalidRequest"),
		get("listEncryptedRecords huge limit", "listEncryptedRecords", q("repo", s.did, "collection", "com.example.note", "limit", "1000"), 400, "InvalidRequest"),
		get("listEncryptedRecords bad cursor", "listEncryptedRecords", q("repo", s.did, "collection", "com.example.note", "cursor", "zz"), 400, "InvalidRequest"),
		get("listEncryptedRecords of another owner", "listEncryptedRecords", q("repo", nobody, "collection", "com.example.note"), 403, "Forbidden"),
		get("getBlob without cid", "getBlob", q("repo", s.did), 400, "InvalidRequest"),
		get("getBlob bad cid", "getBlob", q("repo", s.did, "cid", "nope"), 400, "InvalidRequest"),
		get("getBlob absent", "getBlob", q("repo", s.did, "cid", "bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"), 404, "NotFound"),
		get("getBlob of another owner", "getBlob", q("repo", nobody, "cid", "bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"), 403, "Forbidden"),
		get("getGrantKeys without collection", "getGrantKeys", q("repo", s.did), 400, "InvalidRequest"),
		get("getGrantKeys of another owner", "getGrantKeys", q("repo", nobody, "collection", "com.example.note"), 403, "Forbidden"),
		get("listGrants bad collection", "listGrants", q("collection", "x"), 400, "InvalidRequest"),
		get("listGrants bad includeRevoked", "listGrants", q("includeRevoked", "maybe"), 400, "InvalidRequest"),
		get("listRotations bad collection", "listRotations", q("collection", "x"), 400, "InvalidRequest"),
		{name: "uploadBlob without auth", method: "POST", nsid: ns + "uploadBlob", body: "HPB\x00", ctype: "application/octet-stream", status: 401, errName: "AuthRequired"},
		{name: "uploadBlob not encrypted", method: "POST", nsid: ns + "uploadBlob", body: "plain text", ctype: "application/octet-stream", auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "uploadBlob empty", method: "POST", nsid: ns + "uploadBlob", body: "", ctype: "application/octet-stream", auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "uploadBlob GET", method: "GET", nsid: ns + "uploadBlob", auth: "user", status: 405, errName: "InvalidRequest"},
	})
}
