package xrpc_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atclient"
)

const nobody = "did:plc:nobodynobodynobodynobody"

// TestBadInputAdmin: the com.atproto.admin methods, getAccountInviteCodes
// and temp.checkSignupQueue refuse bad credentials and malformed input
// with 4xx errors.
func TestBadInputAdmin(t *testing.T) {
	s := newSession(t)
	// dave holds a handle and an email that carol cannot take.
	err := atclient.NewAPIClient(s.pds.URL).Post(context.Background(), "com.atproto.server.createAccount",
		map[string]any{"handle": "dave.test", "password": "a long enough password", "email": "dave@example.com"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const ns = "com.atproto.admin."
	procedures := []string{"updateSubjectStatus", "disableInviteCodes", "disableAccountInvites", "enableAccountInvites",
		"updateAccountHandle", "updateAccountEmail", "updateAccountPassword", "sendEmail", "deleteAccount"}
	for _, p := range procedures {
		runBadCases(t, s, commonBodyCases(ns+p, "admin"))
		runBadCases(t, s, []badCase{
			{name: "no auth", method: "POST", nsid: ns + p, body: "{}", status: 401, errName: "AuthRequired"},
			{name: "user token", method: "POST", nsid: ns + p, body: "{}", auth: "user", status: 401, errName: "AuthRequired"},
			{name: "bad token", method: "POST", nsid: ns + p, body: "{}", auth: "bad", status: 401, errName: "AuthRequired"},
		})
	}
	for _, q := range []string{"getAccountInfo", "getAccountInfos", "searchAccounts", "getSubjectStatus", "getInviteCodes"} {
		runBadCases(t, s, []badCase{
			{name: "no auth", method: "GET", nsid: ns + q, status: 401, errName: "AuthRequired"},
			{name: "user token", method: "GET", nsid: ns + q, auth: "user", status: 401, errName: "AuthRequired"},
			{name: "POST on a query", method: "POST", nsid: ns + q, body: "{}", auth: "admin", status: 405, errName: "InvalidRequest"},
		})
	}
	runBadCases(t, s, adminQueryCases(s.did))
	runBadCases(t, s, adminSubjectCases(s.did))
	runBadCases(t, s, adminAccountCases(s.did))
	runBadCases(t, s, []badCase{
		{name: "no auth", method: "GET", nsid: "com.atproto.server.getAccountInviteCodes", status: 401, errName: "AuthRequired"},
		{name: "admin credentials", method: "GET", nsid: "com.atproto.server.getAccountInviteCodes", auth: "admin", status: 401, errName: "InvalidToken"},
		{name: "includeUsed not a bool", method: "GET", nsid: "com.atproto.server.getAccountInviteCodes", query: "includeUsed=maybe", auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "createAvailable not a bool", method: "GET", nsid: "com.atproto.server.getAccountInviteCodes", query: "createAvailable=2", auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "no auth", method: "GET", nsid: "com.atproto.temp.checkSignupQueue", status: 401, errName: "AuthRequired"},
		{name: "bad token", method: "GET", nsid: "com.atproto.temp.checkSignupQueue", auth: "bad", status: 401, errName: "InvalidToken"},
		{name: "POST on a query", method: "POST", nsid: "com.atproto.temp.checkSignupQueue", body: "{}", auth: "user", status: 405, errName: "InvalidRequest"},
	})
}

func adminQueryCases(did string) []badCase {
	const ns = "com.atproto.admin."
	get := func(name, nsid, query string, status int, errName string) badCase {
		return badCase{name: name, method: "GET", nsid: ns + nsid, query: query, auth: "admin", status: status, errName: errName}
	}
	many := url.Values{"dids": strings.Split(strings.Repeat(did+",", 101), ",")[:101]}.Encode()
	return []badCase{
		get("missing did", "getAccountInfo", "", 400, "InvalidRequest"),
		get("bad did", "getAccountInfo", "did=nope", 400, "InvalidRequest"),
		get("unknown account", "getAccountInfo", "did="+nobody, 400, "NotFound"),
		get("missing dids", "getAccountInfos", "", 400, "InvalidRequest"),
		get("bad did among dids", "getAccountInfos", "dids="+did+"&dids=nope", 400, "InvalidRequest"),
		get("too many dids", "getAccountInfos", many, 400, "InvalidRequest"),
		get("limit zero", "searchAccounts", "limit=0", 400, "InvalidRequest"),
		get("limit too big", "searchAccounts", "limit=101", 400, "InvalidRequest"),
		get("limit not a number", "searchAccounts", "limit=x", 400, "InvalidRequest"),
		get("bad cursor", "searchAccounts", "cursor=zzz", 400, "InvalidRequest"),
		get("unknown sort", "getInviteCodes", "sort=random", 400, "InvalidRequest"),
		get("limit too big", "getInviteCodes", "limit=501", 400, "InvalidRequest"),
		get("limit zero", "getInviteCodes", "limit=0", 400, "InvalidRequest"),
		get("malformed cursor", "getInviteCodes", "cursor=garbage", 400, "InvalidRequest"),
		get("malformed numeric cursor", "getInviteCodes", "cursor=1:x:code", 400, "InvalidRequest"),
	}
}

func adminSubjectCases(did string) []badCase {
	const status, update = "com.atproto.admin.getSubjectStatus", "com.atproto.admin.updateSubjectStatus"
	get := func(name, query string, code int, errName string) badCase {
		return badCase{name: name, method: "GET", nsid: status, query: query, auth: "admin", status: code, errName: errName}
	}
	post := func(name, body string, code int, errName string) badCase {
		return badCase{name: name, method: "POST", nsid: update, body: body, auth: "admin", status: code, errName: errName}
	}
	const blob = "bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
	repoRef := `{"$type":"com.atproto.admin.defs#repoRef","did":"` + did + `"}`
	return []badCase{
		get("no subject", "", 400, "InvalidRequest"),
		get("bad did", "did=nope", 400, "InvalidRequest"),
		get("bad blob cid", "did="+did+"&blob=zzz", 400, "InvalidRequest"),
		get("blob without did", "blob="+blob, 400, "InvalidRequest"),
		get("unknown blob", "did="+did+"&blob="+blob, 400, "NotFound"),
		get("bad uri", "uri=not-a-uri", 400, "InvalidRequest"),
		get("uri with a handle", "uri="+url.QueryEscape("at://carol.test/app.bsky.feed.post/abc"), 400, "InvalidRequest"),
		get("uri of a repo", "uri="+url.QueryEscape("at://"+did), 400, "InvalidRequest"),
		get("unknown record", "uri="+url.QueryEscape("at://"+did+"/app.bsky.feed.post/abc"), 400, "NotFound"),
		get("unknown account", "did="+nobody, 400, "NotFound"),
		post("missing subject", `{}`, 400, "InvalidRequest"),
		post("subject not an object", `{"subject":"x"}`, 400, "InvalidRequest"),
		post("unknown subject type", `{"subject":{"$type":"com.example.thing"}}`, 400, "InvalidRequest"),
		post("subject without type", `{"subject":{"did":"`+did+`"}}`, 400, "InvalidRequest"),
		post("repoRef bad did", `{"subject":{"$type":"com.atproto.admin.defs#repoRef","did":"nope"}}`, 400, "InvalidRequest"),
		post("strongRef bad cid", `{"subject":{"$type":"com.atproto.repo.strongRef","uri":"at://`+did+`/app.bsky.feed.post/a","cid":"x"}}`, 400, "InvalidRequest"),
		post("strongRef bad uri", `{"subject":{"$type":"com.atproto.repo.strongRef","uri":"nope","cid":"`+blob+`"}}`, 400, "InvalidRequest"),
		post("blobRef bad cid", `{"subject":{"$type":"com.atproto.admin.defs#repoBlobRef","did":"`+did+`","cid":"x"}}`, 400, "InvalidRequest"),
		post("takedown without applied", `{"subject":`+repoRef+`,"takedown":{"ref":"x"}}`, 400, "InvalidRequest"),
		post("applied not a bool", `{"subject":`+repoRef+`,"takedown":{"applied":"yes"}}`, 400, "InvalidRequest"),
		post("deactivated without applied", `{"subject":`+repoRef+`,"deactivated":{}}`, 400, "InvalidRequest"),
		post("unknown account", `{"subject":{"$type":"com.atproto.admin.defs#repoRef","did":"`+nobody+`"},"takedown":{"applied":true}}`, 400, "NotFound"),
		post("unknown record", `{"subject":{"$type":"com.atproto.repo.strongRef","uri":"at://`+did+`/app.bsky.feed.post/a","cid":"`+blob+`"},"takedown":{"applied":true}}`, 400, "NotFound"),
		post("unknown blob", `{"subject":{"$type":"com.atproto.admin.defs#repoBlobRef","did":"`+did+`","cid":"`+blob+`"},"takedown":{"applied":true}}`, 400, "NotFound"),
	}
}

func adminAccountCases(did string) []badCase {
	post := func(name, nsid, body string, code int, errName string) badCase {
		return badCase{name: name, method: "POST", nsid: "com.atproto.admin." + nsid, body: body, auth: "admin", status: code, errName: errName}
	}
	long := strings.Repeat("p", 300)
	return []badCase{
		post("admin codes", "disableInviteCodes", `{"accounts":["admin"]}`, 400, "InvalidRequest"),
		post("codes not a list", "disableInviteCodes", `{"codes":"abc"}`, 400, "InvalidRequest"),
		post("missing account", "disableAccountInvites", `{}`, 400, "InvalidRequest"),
		post("bad account", "disableAccountInvites", `{"account":"carol.test"}`, 400, "InvalidRequest"),
		post("unknown account", "enableAccountInvites", `{"account":"`+nobody+`"}`, 400, "NotFound"),
		post("missing did", "updateAccountHandle", `{"handle":"x.test"}`, 400, "InvalidRequest"),
		post("bad handle", "updateAccountHandle", `{"did":"`+did+`","handle":"not a handle"}`, 400, "InvalidHandle"),
		post("unknown account", "updateAccountHandle", `{"did":"`+nobody+`","handle":"zed.test"}`, 400, "NotFound"),
		post("handle taken", "updateAccountHandle", `{"did":"`+did+`","handle":"dave.test"}`, 400, "HandleNotAvailable"),
		post("bad account", "updateAccountEmail", `{"account":"no way","email":"a@example.com"}`, 400, "InvalidRequest"),
		post("bad email", "updateAccountEmail", `{"account":"`+did+`","email":"not-an-email"}`, 400, "InvalidRequest"),
		post("missing email", "updateAccountEmail", `{"account":"`+did+`"}`, 400, "InvalidRequest"),
		post("unknown account", "updateAccountEmail", `{"account":"zed.test","email":"z@example.com"}`, 400, "InvalidRequest"),
		post("email taken", "updateAccountEmail", `{"account":"`+did+`","email":"dave@example.com"}`, 400, "InvalidRequest"),
		post("missing did", "updateAccountPassword", `{"password":"a long enough password"}`, 400, "InvalidRequest"),
		post("empty password", "updateAccountPassword", `{"did":"`+did+`","password":""}`, 400, "InvalidRequest"),
		post("password too long", "updateAccountPassword", `{"did":"`+did+`","password":"`+long+`"}`, 400, "InvalidRequest"),
		post("unknown account", "updateAccountPassword", `{"did":"`+nobody+`","password":"a long enough password"}`, 400, "NotFound"),
		post("missing recipient", "sendEmail", `{"senderDid":"`+did+`","content":"hi"}`, 400, "InvalidRequest"),
		post("missing sender", "sendEmail", `{"recipientDid":"`+did+`","content":"hi"}`, 400, "InvalidRequest"),
		post("missing content", "sendEmail", `{"recipientDid":"`+did+`","senderDid":"`+did+`"}`, 400, "InvalidRequest"),
		post("unknown recipient", "sendEmail", `{"recipientDid":"`+nobody+`","senderDid":"`+did+`","content":"hi"}`, 400, "InvalidRequest"),
		post("content wrong type", "sendEmail", `{"recipientDid":"`+did+`","senderDid":"`+did+`","content":5}`, 400, "InvalidRequest"),
		post("missing did", "deleteAccount", `{}`, 400, "InvalidRequest"),
		post("bad did", "deleteAccount", `{"did":"carol.test"}`, 400, "InvalidRequest"),
		post("unknown account", "deleteAccount", `{"did":"`+nobody+`"}`, 400, "NotFound"),
	}
}
