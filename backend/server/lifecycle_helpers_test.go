package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/mail/mailtest"
	"github.com/hearthpds/hearth/internal/testpds"
)

// lcClient calls one PDS over HTTP with an optional bearer token.
type lcClient struct {
	t     *testing.T
	base  string
	token string
}

// lcErr is an XRPC error answer.
type lcErr struct {
	Status int
	Name   string `json:"error"`
	Msg    string `json:"message"`
}

// call sends a request: a GET with query when body is nil and ctype is "",
// otherwise a POST of body (JSON-encoded unless it is []byte). out
// receives a 200 answer's JSON.
func (c *lcClient) call(nsid, query string, ctype string, body any, out any) lcErr {
	c.t.Helper()
	method, u := http.MethodGet, c.base+"/xrpc/"+nsid
	if query != "" {
		u += "?" + query
	}
	var r io.Reader
	if body != nil || ctype != "" {
		method = http.MethodPost
		switch b := body.(type) {
		case []byte:
			r = bytes.NewReader(b)
		default:
			raw, err := json.Marshal(b)
			if err != nil {
				c.t.Fatal(err)
			}
			r, ctype = bytes.NewReader(raw), "application/json"
		}
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
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
	raw, _ := io.ReadAll(resp.Body)
	e := lcErr{Status: resp.StatusCode}
	if resp.StatusCode != http.StatusOK {
		_ = json.Unmarshal(raw, &e)
		return e
	}
	if out != nil {
		if b, ok := out.(*[]byte); ok {
			*b = raw
		} else if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s: decode %q: %v", nsid, raw, err)
		}
	}
	return e
}

// must is call that fails the test on any error answer.
func (c *lcClient) must(nsid, query, ctype string, body, out any) {
	c.t.Helper()
	if e := c.call(nsid, query, ctype, body, out); e.Status != http.StatusOK {
		c.t.Fatalf("%s: %d %s: %s", nsid, e.Status, e.Name, e.Msg)
	}
}

// want is call that expects a given error answer.
func (c *lcClient) want(status int, name, nsid, query, ctype string, body any) {
	c.t.Helper()
	if e := c.call(nsid, query, ctype, body, nil); e.Status != status || e.Name != name {
		c.t.Fatalf("%s: got %d %s (%s), want %d %s", nsid, e.Status, e.Name, e.Msg, status, name)
	}
}

// as returns a client of the same PDS with another token.
func (c *lcClient) as(token string) *lcClient { return &lcClient{t: c.t, base: c.base, token: token} }

type lcSession struct {
	DID        string `json:"did"`
	Handle     string `json:"handle"`
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	Active     *bool  `json:"active"`
	Status     string `json:"status"`
}

// lcSignUp creates an account and returns a client logged in to it.
func lcSignUp(t *testing.T, pds *testpds.PDS, handle, email string) (*lcClient, lcSession) {
	t.Helper()
	c := &lcClient{t: t, base: pds.URL}
	var s lcSession
	c.must("com.atproto.server.createAccount", "", "", map[string]string{"handle": handle, "email": email, "password": lcPassword}, &s)
	return c.as(s.AccessJwt), s
}

const lcPassword = "a long enough password"

// lcServiceDID asks a PDS for its DID.
func lcServiceDID(t *testing.T, pds *testpds.PDS) string {
	t.Helper()
	var out struct {
		DID string `json:"did"`
	}
	(&lcClient{t: t, base: pds.URL}).must("com.atproto.server.describeServer", "", "", nil, &out)
	return out.DID
}

// lcMailPDS starts a PDS that mails through a loopback SMTP server.
func lcMailPDS(t *testing.T, dbURL, plcURL string) (*testpds.PDS, *mailtest.Server) {
	t.Helper()
	smtp := mailtest.Start(t, mailtest.Options{})
	u := smtp.URL()
	u.RawQuery = "from=" + url.QueryEscape("noreply@pds.test")
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL, PLCURL: plcURL, ExtraArgs: []string{"--smtp-url", u.String()}})
	return pds, smtp
}

// lcMailedToken waits for the next mail, checks its recipient and returns
// the token in it.
func lcMailedToken(t *testing.T, smtp *mailtest.Server, to string) string {
	t.Helper()
	m := smtp.Next(t)
	if len(m.To) != 1 || m.To[0] != to || m.Token() == "" {
		t.Fatalf("mail to %v without token: %q", m.To, m.Body)
	}
	return m.Token()
}

// lcEventTypes lists the types of a DID's firehose events, in seq order.
func lcEventTypes(t *testing.T, pds *testpds.PDS, did string) []string {
	t.Helper()
	evs, err := pds.Server.Store().ListEvents(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if e.DID == did {
			out = append(out, e.Type)
		}
	}
	return out
}

// lcPLCData reads the DID's current data from the PLC directory.
func lcPLCData(t *testing.T, plcURL, did string) map[string]any {
	t.Helper()
	resp, err := http.Get(plcURL + "/" + did + "/data")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// lcHeadCommit loads a repo through getRepo and checks its commit against
// the signing key the DID document names now.
func lcHeadCommit(t *testing.T, c *lcClient, plcURL, did string) (*indigorepo.Commit, *indigorepo.Repo) {
	t.Helper()
	var car []byte
	c.as("").must("com.atproto.sync.getRepo", "did="+did, "", nil, &car)
	commit, r, err := indigorepo.LoadRepoFromCAR(context.Background(), bytes.NewReader(car))
	if err != nil {
		t.Fatal(err)
	}
	dir := &indigoid.BaseDirectory{PLCURL: plcURL, HTTPClient: *http.DefaultClient, SkipHandleVerification: true}
	ident, err := dir.LookupDID(context.Background(), syntax.DID(did))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ident.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := commit.VerifySignature(pub); err != nil {
		t.Fatalf("head commit of %s does not verify with the DID document's key: %v", did, err)
	}
	return commit, r
}

// lcContains reports whether list holds s.
func lcContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// lcPost is an app.bsky.feed.post record.
func lcPost(text string) map[string]any {
	return map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-01-01T00:00:00Z"}
}

// lcPNG is a tiny PNG (enough for MIME sniffing).
var lcPNG = append([]byte("\x89PNG\r\n\x1a\n"), []byte(strings.Repeat("hearth", 40))...)
