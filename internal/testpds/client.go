package testpds

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// Client calls a server's XRPC methods over HTTP for a test: as a user
// (Bearer token), as the operator (Basic admin) or anonymously.
type Client struct {
	T     testing.TB
	Base  string // http://127.0.0.1:port
	Token string // access token; "" with Admin false: anonymous
	Admin bool   // HTTP Basic admin:AdminPassword
	DID   string // the account's DID, for user clients
	// Header holds more request headers, set last (they may replace
	// Authorization).
	Header map[string]string
}

// Anon returns an anonymous client of the server.
func (p *PDS) Anon(t testing.TB) *Client { return &Client{T: t, Base: p.URL} }

// AdminClient returns the operator's client (HTTP Basic with AdminPassword).
func (p *PDS) AdminClient(t testing.TB) *Client { return &Client{T: t, Base: p.URL, Admin: true} }

// Account signs up handle (a password of "a long enough password", an
// example.com email) and returns a client with its session.
func (p *PDS) Account(t testing.TB, handle string) *Client {
	t.Helper()
	out := p.Anon(t).Must("com.atproto.server.createAccount", "", map[string]any{
		"handle": handle, "email": handle + "@example.com", "password": "a long enough password",
	})
	return &Client{T: t, Base: p.URL, Token: out["accessJwt"].(string), DID: out["did"].(string)}
}

// Do sends a request (GET when body is nil, else a JSON POST; a []byte
// body is posted as application/octet-stream) and returns the status and
// the decoded JSON answer (nil when empty).
func (c *Client) Do(nsid, query string, body any) (int, map[string]any) {
	c.T.Helper()
	status, raw := c.DoRaw(nsid, query, body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.T.Fatalf("%s: answer %d is not JSON: %q", nsid, status, raw)
		}
	}
	return status, out
}

// DoRaw is Do with the answer's bytes undecoded.
func (c *Client) DoRaw(nsid, query string, body any) (int, []byte) {
	c.T.Helper()
	method, u := http.MethodGet, c.Base+"/xrpc/"+nsid
	if query != "" {
		u += "?" + query
	}
	var r io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		method, r, ctype = http.MethodPost, bytes.NewReader(b), "application/octet-stream"
	default:
		method = http.MethodPost
		raw, err := json.Marshal(body)
		if err != nil {
			c.T.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		c.T.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", ctype)
	}
	switch {
	case c.Admin:
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:"+AdminPassword)))
	case c.Token != "":
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.T.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.T.Fatalf("%s: reading the answer: %v", nsid, err)
	}
	return resp.StatusCode, raw
}

// Must sends a request that must succeed and returns its answer.
func (c *Client) Must(nsid, query string, body any) map[string]any {
	c.T.Helper()
	status, out := c.Do(nsid, query, body)
	if status != http.StatusOK {
		c.T.Fatalf("%s: %d %v", nsid, status, out)
	}
	return out
}

// Want sends a request that must fail with status and error name, and
// returns the answer.
func (c *Client) Want(status int, name, nsid, query string, body any) map[string]any {
	c.T.Helper()
	got, out := c.Do(nsid, query, body)
	if got != status || out["error"] != name {
		c.T.Fatalf("%s: got %d %v, want %d %s", nsid, got, out, status, name)
	}
	return out
}

// Post creates an app.bsky.feed.post with text in the client's repo and
// returns the status and answer (uri and cid on success).
func (c *Client) Post(text string) (int, map[string]any) {
	c.T.Helper()
	return c.Do("com.atproto.repo.createRecord", "", map[string]any{
		"repo": c.DID, "collection": "app.bsky.feed.post",
		"record": map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-25T00:00:00Z"},
	})
}
