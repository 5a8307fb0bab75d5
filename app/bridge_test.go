package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hearthpds/hearth/backend/keys"
)

func TestBridge(t *testing.T) {
	env, _ := localFirst(t)
	a := newTestApp(t, "", keys.NewMemKeychain(), env...)
	pages := fstest.MapFS{"index.html": {Data: []byte("<title>Hearth</title>")}}
	ts := httptest.NewServer(Bridge(a, pages, "s3cret-token"))
	defer ts.Close()

	call := func(method, body, token string) (int, map[string]json.RawMessage) {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+"/app/call/"+method, strings.NewReader(body))
		if token != "" {
			req.Header.Set("X-Hearth-Token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("%s: undecodable answer: %v", method, err)
		}
		return resp.StatusCode, out
	}

	if code, _ := call("State", "[]", ""); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}
	if code, _ := call("State", "[]", "wrong"); code != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", code)
	}
	code, out := call("State", "[]", "s3cret-token")
	var st State
	if code != http.StatusOK || json.Unmarshal(out["result"], &st) != nil || st.Phase != PhaseFirstRun {
		t.Fatalf("State: %d %s", code, out["result"])
	}
	code, out = call("CreateAccount", `[{"handle":"erin","password":"correct horse battery"}]`, "s3cret-token")
	if code != http.StatusOK || !strings.Contains(string(out["result"]), `"handle":"erin.test"`) {
		t.Fatalf("CreateAccount: %d %s %s", code, out["result"], out["error"])
	}
	code, out = call("CreateRecord", `["app.bsky.feed.post","",{"not":"a string"}]`, "s3cret-token")
	if code != http.StatusBadRequest || !strings.Contains(string(out["error"]), "argument 2") {
		t.Fatalf("bad argument: %d %s", code, out["error"])
	}
	code, out = call("CreateRecord", `["app.bsky.feed.post",""]`, "s3cret-token")
	if code != http.StatusBadRequest || !strings.Contains(string(out["error"]), "takes 3 arguments") {
		t.Fatalf("missing argument: %d %s", code, out["error"])
	}
	code, out = call("GetRecord", `["app.bsky.feed.post","nope"]`, "s3cret-token")
	if code != http.StatusBadRequest || !strings.Contains(string(out["error"]), "(RecordNotFound)") {
		t.Fatalf("error result: %d %s", code, out["error"])
	}
	if code, _ := call("NoSuchMethod", "[]", "s3cret-token"); code != http.StatusNotFound {
		t.Fatalf("unknown method: %d", code)
	}
	if code, _ := call("State", "{not json", "s3cret-token"); code != http.StatusBadRequest {
		t.Fatalf("bad body: %d", code)
	}

	// A browser: the token in the address sets a cookie, then the pages
	// and calls work without it.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(ts.URL + "/?token=s3cret-token")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "<title>Hearth</title>") {
		t.Fatalf("page: %d %s", resp.StatusCode, page)
	}
	resp, err = browser.Post(ts.URL+"/app/call/Account", "application/json", strings.NewReader("[]"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("call with the cookie: %d", resp.StatusCode)
	}
	if resp, err := http.Get(ts.URL + "/"); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("page without token: %v %v", resp.StatusCode, err)
	}
}

func TestLogsRedactSecrets(t *testing.T) {
	a, err := New(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	a.log.Info("session", "token", "eyJhbGciOiJFUzI1NksifQ.eyJzdWIiOiJkaWQ6cGxjOngifQ.c2lnbmF0dXJl")
	a.log.Info("connect", "db", "postgres://hearth:hunter22@127.0.0.1/hearth")
	a.log.Info("header Authorization: Bearer abcdefghijklmnop")
	a.log.Info("plain line", "did", "did:plc:abc")
	lines := a.Logs(0)
	if len(lines) != 4 {
		t.Fatalf("lines = %+v", lines)
	}
	all := ""
	for _, l := range lines {
		all += l.Message + "\n"
	}
	for _, secret := range []string{"eyJhbGci", "hunter22", "abcdefghijklmnop"} {
		if strings.Contains(all, secret) {
			t.Errorf("log view shows %q:\n%s", secret, all)
		}
	}
	if !strings.Contains(all, "did=did:plc:abc") || !strings.Contains(all, "[redacted]") {
		t.Errorf("log view lost the plain parts:\n%s", all)
	}
	if got := a.Logs(2); len(got) != 2 || got[1].Message != "plain line did=did:plc:abc" {
		t.Errorf("last 2 = %+v", got)
	}
}
