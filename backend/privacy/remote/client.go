package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Sentinel errors an XRPC answer matches (errors.Is).
var (
	// ErrForbidden: the PDS answered 403 (not the owner, not granted, or
	// revoked).
	ErrForbidden = errors.New("remote: not granted")
	// ErrNotFound: the PDS answered 404.
	ErrNotFound = errors.New("remote: not found")
	// ErrStaleEpoch: the collection moved to another epoch meanwhile (409
	// StaleEpoch).
	ErrStaleEpoch = errors.New("remote: the collection is at another epoch")
)

// maxAnswer bounds a JSON answer read from a PDS.
const maxAnswer = 16 << 20

// Error is an XRPC error answer.
type Error struct {
	NSID    string
	Status  int
	Name    string // the XRPC error name, e.g. Forbidden
	Message string
}

// Error names the method, the status and the PDS's message.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %d %s: %s", e.NSID, e.Status, e.Name, e.Message)
}

// Is matches ErrForbidden (403), ErrNotFound (404) and ErrStaleEpoch.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrStaleEpoch:
		return e.Name == "StaleEpoch"
	}
	return false
}

// Tokens returns the bearer token for one call of method lxm to the PDS
// whose service DID is aud: a session token (the owner), or a fresh
// service-auth JWT (a grantee: single use, so one per call). "" calls
// anonymously.
type Tokens func(ctx context.Context, aud, lxm string) (string, error)

// SessionToken is Tokens for a session: the same access token every call.
func SessionToken(token string) Tokens {
	return func(context.Context, string, string) (string, error) { return token, nil }
}

// Client calls one PDS's XRPC methods. Safe for concurrent use.
type Client struct {
	// Endpoint is the PDS's base URL (https://pds.example, no /xrpc).
	Endpoint string
	// HTTP sends the requests (http.DefaultClient when nil).
	HTTP *http.Client
	// Tokens authenticates each call (nil: anonymous).
	Tokens Tokens

	mu  sync.Mutex
	aud string // the PDS's service DID, once read
}

// NewClient returns a client of the PDS at endpoint.
func NewClient(endpoint string, hc *http.Client, tokens Tokens) *Client {
	return &Client{Endpoint: strings.TrimSuffix(endpoint, "/"), HTTP: hc, Tokens: tokens}
}

func (c *Client) http() *http.Client {
	if c.HTTP == nil {
		return http.DefaultClient
	}
	return c.HTTP
}

// ServiceDID returns the PDS's service DID (the audience of service-auth
// JWTs for it), read once from com.atproto.server.describeServer.
func (c *Client) ServiceDID(ctx context.Context) (string, error) {
	c.mu.Lock()
	aud := c.aud
	c.mu.Unlock()
	if aud != "" {
		return aud, nil
	}
	var out struct {
		DID string `json:"did"`
	}
	if err := c.call(ctx, http.MethodGet, "com.atproto.server.describeServer", nil, "", nil, &out, false); err != nil {
		return "", err
	}
	if !strings.HasPrefix(out.DID, "did:") {
		return "", fmt.Errorf("remote: %s: describeServer names no service DID", c.Endpoint)
	}
	c.mu.Lock()
	c.aud = out.DID
	c.mu.Unlock()
	return out.DID, nil
}

// Get calls a query and decodes its JSON answer into out.
func (c *Client) Get(ctx context.Context, nsid string, q url.Values, out any) error {
	return c.call(ctx, http.MethodGet, nsid, q, "", nil, out, true)
}

// Post calls a JSON procedure and decodes its answer into out (nil:
// ignored).
func (c *Client) Post(ctx context.Context, nsid string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("remote: %s: encode input: %w", nsid, err)
	}
	return c.call(ctx, http.MethodPost, nsid, nil, "application/json", bytes.NewReader(b), out, true)
}

// PostRaw calls a procedure whose input is raw bytes of type ctype.
func (c *Client) PostRaw(ctx context.Context, nsid, ctype string, body io.Reader, out any) error {
	return c.call(ctx, http.MethodPost, nsid, nil, ctype, body, out, true)
}

// GetRaw calls a query whose answer is raw bytes; the caller closes the
// body.
func (c *Client) GetRaw(ctx context.Context, nsid string, q url.Values) (io.ReadCloser, error) {
	resp, err := c.send(ctx, http.MethodGet, nsid, q, "", nil, true)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// call sends one request and decodes a 200 answer into out.
func (c *Client) call(ctx context.Context, method, nsid string, q url.Values, ctype string, body io.Reader, out any, auth bool) error {
	resp, err := c.send(ctx, method, nsid, q, ctype, body, auth)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(out); err != nil {
		return fmt.Errorf("remote: %s: decode the answer: %w", nsid, err)
	}
	return nil
}

// send sends one request and returns a 200 response; any other status is
// an *Error.
func (c *Client) send(ctx context.Context, method, nsid string, q url.Values, ctype string, body io.Reader, auth bool) (*http.Response, error) {
	u := c.Endpoint + "/xrpc/" + nsid
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("remote: %s: %w", nsid, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth && c.Tokens != nil {
		if err := c.authorize(ctx, req, nsid); err != nil {
			return nil, err
		}
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return nil, fmt.Errorf("remote: %s: %w", nsid, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	e := &Error{NSID: nsid, Status: resp.StatusCode}
	var ans struct{ Error, Message string }
	if json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&ans) == nil {
		e.Name, e.Message = ans.Error, ans.Message
	}
	return nil, e
}

// authorize sets the call's bearer token.
func (c *Client) authorize(ctx context.Context, req *http.Request, nsid string) error {
	aud, err := c.ServiceDID(ctx)
	if err != nil {
		return err
	}
	tok, err := c.Tokens(ctx, aud, nsid)
	if err != nil {
		return fmt.Errorf("remote: %s: token: %w", nsid, err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return nil
}
