package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/mail/mailtest"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// admClient calls the admin methods with HTTP Basic admin credentials.
type admClient struct {
	pxClient
}

func (c admClient) do(nsid, query string, body any) (int, map[string]any) {
	c.t.Helper()
	return c.pxClient.do(nsid, query, body, map[string]string{"Authorization": basicAdmin()})
}

func (c admClient) must(nsid, query string, body any) map[string]any {
	c.t.Helper()
	status, out := c.do(nsid, query, body)
	if status != http.StatusOK {
		c.t.Fatalf("%s: %d %v", nsid, status, out)
	}
	return out
}

func (c admClient) want(status int, name, nsid, query string, body any) {
	c.t.Helper()
	got, out := c.do(nsid, query, body)
	if got != status || out["error"] != name {
		c.t.Errorf("%s: got %d %v, want %d %s", nsid, got, out, status, name)
	}
}

func basicAdmin() string {
	req, _ := http.NewRequest("GET", "http://x", nil)
	req.SetBasicAuth("admin", testpds.AdminPassword)
	return req.Header.Get("Authorization")
}

// admAccountEvent returns the status the last #account event of did
// carries ("" for active).
func admAccountEvent(t *testing.T, pds *testpds.PDS, did string) (active bool, status string) {
	t.Helper()
	events, err := pds.Server.Store().ListEvents(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		if e.DID != did || e.Type != firehose.TypeAccount {
			continue
		}
		_, body, err := firehose.DecodeFrame(e.Body)
		if err != nil {
			t.Fatal(err)
		}
		var a firehose.Account
		if err := a.UnmarshalCBOR(bytes.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		found, active, status = true, a.Active, ""
		if a.Status != nil {
			status = *a.Status
		}
	}
	if !found {
		t.Fatalf("no #account event for %s", did)
	}
	return active, status
}

// TestAdminMethods calls every com.atproto.admin method with valid input,
// on both backends, and checks its effect; plus getAccountInviteCodes and
// temp.checkSignupQueue.
func TestAdminMethods(t *testing.T) { testdb.RunURL(t, testAdminMethods) }

func testAdminMethods(t *testing.T, dbURL func(testing.TB) string) {
	smtp := mailtest.Start(t, mailtest.Options{})
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t), ExtraArgs: []string{"--smtp-url", smtp.URL().String()}})
	admin := admClient{pxClient{t: t, base: pds.URL}}
	codes := admin.must("com.atproto.server.createInviteCodes", "", map[string]any{"codeCount": 2, "useCount": 1})
	code := codes["codes"].([]any)[0].(map[string]any)["codes"].([]any)[0].(string)
	anon := pxClient{t: t, base: pds.URL}
	sess := anon.must("com.atproto.server.createAccount", "", map[string]any{
		"handle": "alice.test", "email": "alice@example.com", "password": "a long enough password", "inviteCode": code}, nil)
	alice, aliceDID := pxClient{t: t, base: pds.URL, token: sess["accessJwt"].(string)}, sess["did"].(string)
	_, bobDID := pxAccount(t, pds, "bob.test", "bob@example.com")
	admin.must("com.atproto.server.createInviteCodes", "", map[string]any{"codeCount": 1, "useCount": 2, "forAccounts": []string{aliceDID}})

	admAccountViews(t, admin, alice, aliceDID, bobDID, code)
	admInvites(t, admin, alice, aliceDID, code)
	admTakedowns(t, pds, admin, alice, aliceDID)
	if status, _ := (pxClient{t: t, base: pds.URL, token: sess["refreshJwt"].(string)}).do("com.atproto.server.refreshSession", "", map[string]any{}, nil); status != 401 {
		t.Errorf("refresh token survived the takedown: %d", status)
	}
	admAccountChanges(t, pds, admin, smtp, aliceDID, bobDID)
	alice.must("com.atproto.temp.checkSignupQueue", "", nil, nil)
}

func admAccountViews(t *testing.T, admin admClient, alice pxClient, aliceDID, bobDID, code string) {
	info := admin.must("com.atproto.admin.getAccountInfo", "did="+aliceDID, nil)
	if info["handle"] != "alice.test" || info["email"] != "alice@example.com" || info["invitedBy"].(map[string]any)["code"] != code ||
		len(info["invites"].([]any)) != 1 || info["indexedAt"] == "" {
		t.Errorf("getAccountInfo = %v", info)
	}
	admin.want(400, "NotFound", "com.atproto.admin.getAccountInfo", "did=did:plc:nobodynobodynobodynobody", nil)
	q := url.Values{"dids": {aliceDID, bobDID, "did:plc:nobodynobodynobodynobody"}}.Encode()
	if infos := admin.must("com.atproto.admin.getAccountInfos", q, nil)["infos"].([]any); len(infos) != 2 {
		t.Errorf("getAccountInfos gave %d infos, want 2", len(infos))
	}
	found := admin.must("com.atproto.admin.searchAccounts", "email=bob@", nil)["accounts"].([]any)
	if len(found) != 1 || found[0].(map[string]any)["did"] != bobDID {
		t.Errorf("searchAccounts = %v", found)
	}
	page := admin.must("com.atproto.admin.searchAccounts", "limit=1", nil)
	if page["cursor"] == nil || len(page["accounts"].([]any)) != 1 {
		t.Errorf("searchAccounts page = %v", page)
	}
	mine := alice.must("com.atproto.server.getAccountInviteCodes", "", nil, nil)["codes"].([]any)
	if len(mine) != 1 || mine[0].(map[string]any)["forAccount"] != aliceDID {
		t.Errorf("getAccountInviteCodes = %v", mine)
	}
}

func admInvites(t *testing.T, admin admClient, alice pxClient, aliceDID, usedCode string) {
	all := admin.must("com.atproto.admin.getInviteCodes", "sort=recent", nil)["codes"].([]any)
	if len(all) != 3 {
		t.Fatalf("getInviteCodes: %d codes, want 3", len(all))
	}
	byUse := admin.must("com.atproto.admin.getInviteCodes", "sort=usage", nil)["codes"].([]any)
	if byUse[0].(map[string]any)["code"] != usedCode {
		t.Errorf("getInviteCodes by usage starts with %v, want the used code", byUse[0])
	}
	first := admin.must("com.atproto.admin.getInviteCodes", "limit=2", nil)
	cursor, _ := first["cursor"].(string)
	rest := admin.must("com.atproto.admin.getInviteCodes", "limit=2&cursor="+url.QueryEscape(cursor), nil)["codes"].([]any)
	if cursor == "" || len(rest) != 1 {
		t.Errorf("getInviteCodes pages: cursor %q, then %d codes", cursor, len(rest))
	}
	admin.must("com.atproto.admin.disableAccountInvites", "", map[string]any{"account": aliceDID})
	if info := admin.must("com.atproto.admin.getAccountInfo", "did="+aliceDID, nil); info["invitesDisabled"] != true {
		t.Errorf("after disableAccountInvites: %v", info["invitesDisabled"])
	}
	admin.must("com.atproto.admin.enableAccountInvites", "", map[string]any{"account": aliceDID})
	if info := admin.must("com.atproto.admin.getAccountInfo", "did="+aliceDID, nil); info["invitesDisabled"] != false {
		t.Errorf("after enableAccountInvites: %v", info["invitesDisabled"])
	}
	admin.must("com.atproto.admin.disableInviteCodes", "", map[string]any{"accounts": []string{aliceDID}})
	if mine := alice.must("com.atproto.server.getAccountInviteCodes", "", nil, nil)["codes"].([]any); len(mine) != 0 {
		t.Errorf("disabled codes still listed: %v", mine)
	}
}

func admTakedowns(t *testing.T, pds *testpds.PDS, admin admClient, alice pxClient, did string) {
	repoRef := map[string]any{"$type": "com.atproto.admin.defs#repoRef", "did": did}
	out := admin.must("com.atproto.admin.updateSubjectStatus", "", map[string]any{"subject": repoRef, "takedown": map[string]any{"applied": true, "ref": "case-1"}})
	if out["takedown"].(map[string]any)["ref"] != "case-1" {
		t.Errorf("updateSubjectStatus = %v", out)
	}
	st := admin.must("com.atproto.admin.getSubjectStatus", "did="+did, nil)
	if td := st["takedown"].(map[string]any); td["applied"] != true || td["ref"] != "case-1" {
		t.Errorf("getSubjectStatus = %v", st)
	}
	if active, status := admAccountEvent(t, pds, did); active || status != "takendown" {
		t.Errorf("#account after takedown: active %v status %q", active, status)
	}
	anon := pxClient{t: t, base: pds.URL}
	anon.want(401, "AuthenticationRequired", "com.atproto.server.createSession", "", map[string]any{"identifier": "alice.test", "password": "a long enough password"}, nil)
	// The account's unexpired access token stops working at once, and its
	// repo is no longer served.
	alice.want(401, "AccountTakedown", "com.atproto.server.getSession", "", nil, nil)
	anon.want(404, "RepoNotFound", "com.atproto.repo.describeRepo", "repo="+did, nil, nil)
	admin.must("com.atproto.admin.updateSubjectStatus", "", map[string]any{"subject": repoRef, "takedown": map[string]any{"applied": false}})
	alice.must("com.atproto.server.getSession", "", nil, nil)
	if active, status := admAccountEvent(t, pds, did); !active || status != "" {
		t.Errorf("#account after lifting: active %v status %q", active, status)
	}
	admin.must("com.atproto.admin.updateSubjectStatus", "", map[string]any{"subject": repoRef, "deactivated": map[string]any{"applied": true}})
	if st := admin.must("com.atproto.admin.getSubjectStatus", "did="+did, nil); st["deactivated"].(map[string]any)["applied"] != true {
		t.Errorf("after deactivation: %v", st)
	}
	admin.must("com.atproto.admin.updateSubjectStatus", "", map[string]any{"subject": repoRef, "deactivated": map[string]any{"applied": false}})
	if active, _ := admAccountEvent(t, pds, did); !active {
		t.Error("#account after reactivation is not active")
	}

	rec := alice.must("com.atproto.repo.createRecord", "", map[string]any{"repo": did, "collection": "app.bsky.feed.post",
		"record": map[string]any{"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2026-11-25T00:00:00.000Z"}}, nil)
	strongRef := map[string]any{"$type": "com.atproto.repo.strongRef", "uri": rec["uri"], "cid": rec["cid"]}
	admin.must("com.atproto.admin.updateSubjectStatus", "", map[string]any{"subject": strongRef, "takedown": map[string]any{"applied": true}})
	st = admin.must("com.atproto.admin.getSubjectStatus", "uri="+url.QueryEscape(rec["uri"].(string)), nil)
	if st["takedown"].(map[string]any)["applied"] != true || st["subject"].(map[string]any)["cid"] != rec["cid"] {
		t.Errorf("record status = %v", st)
	}

	blob := admUploadBlob(t, alice)
	blobRef := map[string]any{"$type": "com.atproto.admin.defs#repoBlobRef", "did": did, "cid": blob}
	admin.must("com.atproto.admin.updateSubjectStatus", "", map[string]any{"subject": blobRef, "takedown": map[string]any{"applied": true, "ref": "b"}})
	st = admin.must("com.atproto.admin.getSubjectStatus", "did="+did+"&blob="+blob, nil)
	if td := st["takedown"].(map[string]any); td["applied"] != true || td["ref"] != "b" {
		t.Errorf("blob status = %v", st)
	}
}

// admUploadBlob uploads a small PNG and returns its CID.
func admUploadBlob(t *testing.T, c pxClient) string {
	t.Helper()
	png := append([]byte("\x89PNG\r\n\x1a\n"), []byte(strings.Repeat("hearth", 20))...)
	req, err := http.NewRequest("POST", c.base+"/xrpc/com.atproto.repo.uploadBlob", bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "image/png")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Blob struct {
			Ref struct {
				Link string `json:"$link"`
			} `json:"ref"`
		} `json:"blob"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Blob.Ref.Link == "" {
		t.Fatalf("uploadBlob: %d %v", resp.StatusCode, err)
	}
	return out.Blob.Ref.Link
}

func admAccountChanges(t *testing.T, pds *testpds.PDS, admin admClient, smtp *mailtest.Server, aliceDID, bobDID string) {
	admin.must("com.atproto.admin.updateAccountHandle", "", map[string]any{"did": bobDID, "handle": "robert.test"})
	admin.must("com.atproto.admin.updateAccountEmail", "", map[string]any{"account": "robert.test", "email": "Robert@Example.com"})
	info := admin.must("com.atproto.admin.getAccountInfo", "did="+bobDID, nil)
	if info["handle"] != "robert.test" || info["email"] != "robert@example.com" {
		t.Errorf("after handle and email updates: %v", info)
	}
	anon := pxClient{t: t, base: pds.URL}
	old := anon.must("com.atproto.server.createSession", "", map[string]any{"identifier": "robert.test", "password": "a long enough password"}, nil)
	admin.must("com.atproto.admin.updateAccountPassword", "", map[string]any{"did": bobDID, "password": "a brand new password"})
	if status, _ := (pxClient{t: t, base: pds.URL, token: old["refreshJwt"].(string)}).do("com.atproto.server.refreshSession", "", map[string]any{}, nil); status != 401 {
		t.Errorf("refresh token survived the password change: %d", status)
	}
	anon.must("com.atproto.server.createSession", "", map[string]any{"identifier": "robert.test", "password": "a brand new password"}, nil)

	sent := admin.must("com.atproto.admin.sendEmail", "", map[string]any{
		"recipientDid": aliceDID, "senderDid": bobDID, "subject": "Hello", "content": "A word from your PDS."})
	if sent["sent"] != true {
		t.Errorf("sendEmail = %v", sent)
	}
	if m := smtp.Next(t); m.Subject() != "Hello" || !strings.Contains(m.Body, "A word from your PDS.") || m.To[0] != "alice@example.com" {
		t.Errorf("mailed %q to %v: %q", m.Subject(), m.To, m.Body)
	}

	admin.must("com.atproto.admin.deleteAccount", "", map[string]any{"did": bobDID})
	admin.want(400, "NotFound", "com.atproto.admin.getAccountInfo", "did="+bobDID, nil)
	if active, status := admAccountEvent(t, pds, bobDID); active || status != "deleted" {
		t.Errorf("#account after deletion: active %v status %q", active, status)
	}
}
