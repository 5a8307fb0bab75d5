package xrpc_test

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/xrpc"
)

// TestBadInputPrivateGrants: grantAccess, revokeAccess, rotateKey,
// reencryptRecords and the dev.hearthpds.crypto methods refuse missing
// credentials and malformed input with clear 4xx errors.
func TestBadInputPrivateGrants(t *testing.T) {
	s := newSession(t) // carol, without an encryption identity
	ns, cs := xrpc.PrivateNSIDPrefix, xrpc.CryptoNSIDPrefix
	b64 := base64.RawURLEncoding.EncodeToString
	mac, sealed := b64(make([]byte, 32)), b64(make([]byte, 113))
	const coll = `"collection":"com.example.note"`
	post := func(name, nsid, body string, status int, errName string) badCase {
		return badCase{name: name, method: "POST", nsid: nsid, body: body, auth: "user", status: status, errName: errName}
	}
	for _, p := range []string{ns + "grantAccess", ns + "revokeAccess", ns + "rotateKey", ns + "reencryptRecords", cs + "putKeyBackup"} {
		runBadCases(t, s, commonBodyCases(p, "user"))
		runBadCases(t, s, []badCase{
			{name: "no auth", method: "POST", nsid: p, body: "{}", status: 401, errName: "AuthRequired"},
			{name: "bad token", method: "POST", nsid: p, body: "{}", auth: "bad", status: 401, errName: "InvalidToken"},
			{name: "refresh token", method: "POST", nsid: p, body: "{}", auth: "refresh", status: 401, errName: "InvalidToken"},
		})
	}
	for _, p := range []string{ns + "grantAccess", ns + "revokeAccess", ns + "rotateKey", ns + "reencryptRecords"} {
		runBadCases(t, s, []badCase{
			post("missing collection", p, `{}`, 400, "InvalidRequest"),
			post("collection not an nsid", p, `{"collection":"nope"}`, 400, "InvalidRequest"),
		})
	}
	grant := func(grantee, grants string) string {
		return `{` + coll + `,"grantee":"` + grantee + `","granteeKeyId":"ABC","grants":` + grants + `}`
	}
	epoch := func(grantee string, epoch int, grants string) string {
		g := ""
		if grantee != "" {
			g = `"grantee":"` + grantee + `",`
		}
		return `{` + coll + `,` + g + `"epoch":` + strconv.Itoa(epoch) + `,"grants":` + grants + `}`
	}
	okGrant := `[{"grantee":"` + s.did + `","granteeKeyId":"ABC","sealed":"` + sealed + `"}]`
	runBadCases(t, s, []badCase{
		post("grant without grantee", ns+"grantAccess", grant("", `[{"epoch":1,"sealed":"`+sealed+`"}]`), 400, "InvalidRequest"),
		post("grant without grants", ns+"grantAccess", grant(nobody, `[]`), 400, "InvalidRequest"),
		post("grant sealed not base64url", ns+"grantAccess", grant(nobody, `[{"epoch":1,"sealed":"+/="}]`), 400, "InvalidRequest"),
		post("grant to a non-DID", ns+"grantAccess", grant("bob.test", `[{"epoch":1,"sealed":"`+sealed+`"}]`), 400, "InvalidRequest"),
		post("grant to oneself", ns+"grantAccess", grant(s.did, `[{"epoch":1,"sealed":"`+sealed+`"}]`), 400, "InvalidRequest"),
		post("grant of a collection without epoch", ns+"grantAccess", grant(nobody, `[{"epoch":1,"sealed":"`+sealed+`"}]`), 404, "NotFound"),
		post("revoke without grantee", ns+"revokeAccess", epoch("", 2, okGrant), 400, "InvalidRequest"),
		post("revoke at epoch 0", ns+"revokeAccess", epoch(nobody, 0, okGrant), 400, "InvalidRequest"),
		post("revoke without grants", ns+"revokeAccess", epoch(nobody, 1, `[]`), 400, "InvalidRequest"),
		post("revoke in a collection without epoch", ns+"revokeAccess", epoch(nobody, 1, okGrant), 404, "NotFound"),
		post("revoke at a future epoch", ns+"revokeAccess", epoch(nobody, 3, okGrant), 409, "StaleEpoch"),
		post("rotate naming a grantee", ns+"rotateKey", epoch(nobody, 1, okGrant), 400, "InvalidRequest"),
		post("rotate to a future epoch", ns+"rotateKey", epoch("", 2, okGrant), 409, "StaleEpoch"),
		post("rotate without an identity", ns+"rotateKey", epoch("", 1, okGrant), 404, "NoIdentity"),
		post("rotate sealed not base64url", ns+"rotateKey", epoch("", 1, `[{"grantee":"`+s.did+`","granteeKeyId":"ABC","sealed":"!"}]`), 400, "InvalidRequest"),
		post("reencrypt too many", ns+"reencryptRecords", `{`+coll+`,"records":[`+strings.Repeat(`{"rkeyMac":"`+mac+`","prevEpoch":1,"envelope":"AQ"},`, 100)+`{"rkeyMac":"`+mac+`","prevEpoch":1,"envelope":"AQ"}]}`, 400, "InvalidRequest"),
		post("reencrypt short rkeyMac", ns+"reencryptRecords", `{`+coll+`,"records":[{"rkeyMac":"AQ","prevEpoch":1,"envelope":"AQ"}]}`, 400, "InvalidRequest"),
		post("reencrypt without envelope", ns+"reencryptRecords", `{`+coll+`,"records":[{"rkeyMac":"`+mac+`","prevEpoch":1}]}`, 400, "InvalidRequest"),
		post("reencrypt in a collection without epoch", ns+"reencryptRecords", `{`+coll+`,"records":[]}`, 404, "NotFound"),
		post("backup missing", cs+"putKeyBackup", `{}`, 400, "InvalidRequest"),
		post("backup not base64url", cs+"putKeyBackup", `{"backup":"+/="}`, 400, "InvalidRequest"),
		post("backup of the wrong size", cs+"putKeyBackup", `{"backup":"AQID"}`, 400, "InvalidRequest"),
		post("backup without an identity", cs+"putKeyBackup", `{"backup":"`+b64(make([]byte, 104))+`"}`, 404, "NoIdentity"),
		{name: "getKeyBackup without auth", method: "GET", nsid: cs + "getKeyBackup", status: 401, errName: "AuthRequired"},
		{name: "getKeyBackup none", method: "GET", nsid: cs + "getKeyBackup", auth: "user", status: 404, errName: "NoBackup"},
		{name: "getKeyBackup POST", method: "POST", nsid: cs + "getKeyBackup", body: "{}", auth: "user", status: 405, errName: "InvalidRequest"},
		{name: "getPublicKey without did", method: "GET", nsid: cs + "getPublicKey", status: 400, errName: "InvalidRequest"},
		{name: "getPublicKey not a DID", method: "GET", nsid: cs + "getPublicKey", query: url.Values{"did": {"carol.test"}}.Encode(), status: 400, errName: "InvalidRequest"},
		{name: "getPublicKey without identity", method: "GET", nsid: cs + "getPublicKey", query: url.Values{"did": {s.did}}.Encode(), status: 404, errName: "NoIdentity"},
		{name: "getPublicKey of another PDS's account", method: "GET", nsid: cs + "getPublicKey", query: url.Values{"did": {nobody}}.Encode(), status: 404, errName: "NoIdentity"},
		{name: "getPublicKey POST", method: "POST", nsid: cs + "getPublicKey", body: "{}", status: 405, errName: "InvalidRequest"},
	})
}
