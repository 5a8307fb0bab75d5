package importer

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

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 8 << 10

// remote talks XRPC to the source PDS, with the account's session when it
// logged in. The session's tokens never leave this value.
type remote struct {
	hc   *http.Client
	base string // scheme://host[:port], no trailing slash

	mu      sync.Mutex
	access  string
	refresh string
}

// newRemote checks the PDS URL and returns a client for it.
func newRemote(hc *http.Client, raw string) (*remote, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("%w: PDS URL %q is not an http(s) URL", ErrInvalidSource, raw)
	}
	return &remote{hc: hc, base: u.Scheme + "://" + u.Host}, nil
}

// session is what createSession tells about the account.
type session struct {
	DID    string `json:"did"`
	Handle string `json:"handle"`
}

// login opens a session (com.atproto.server.createSession).
func (r *remote) login(ctx context.Context, identifier, password string) (session, error) {
	body, err := json.Marshal(map[string]string{"identifier": identifier, "password": password})
	if err != nil {
		return session{}, err
	}
	resp, err := r.send(ctx, http.MethodPost, "com.atproto.server.createSession", nil, body, "")
	if err != nil {
		var re *remoteError
		if errors.As(err, &re) && (re.Status == http.StatusUnauthorized || re.Name == "AuthenticationRequired") {
			return session{}, fmt.Errorf("%w at %s: the identifier or password is wrong (%s)", ErrLogin, r.base, re.Message)
		}
		if errors.As(err, &re) && re.Name == "AuthFactorTokenRequired" {
			return session{}, fmt.Errorf("%w at %s: the account asks for an emailed sign-in code; use an app password", ErrLogin, r.base)
		}
		return session{}, fmt.Errorf("%w at %s: %w", ErrLogin, r.base, err)
	}
	defer resp.Body.Close()
	var out struct {
		session
		AccessJwt  string `json:"accessJwt"`
		RefreshJwt string `json:"refreshJwt"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return session{}, fmt.Errorf("%w at %s: unreadable createSession answer: %v", ErrLogin, r.base, err)
	}
	if out.DID == "" || out.AccessJwt == "" {
		return session{}, fmt.Errorf("%w at %s: createSession answered no DID or token", ErrLogin, r.base)
	}
	r.mu.Lock()
	r.access, r.refresh = out.AccessJwt, out.RefreshJwt
	r.mu.Unlock()
	return out.session, nil
}

// logout ends the session, if any (com.atproto.server.deleteSession),
// ignoring errors: the tokens are forgotten either way.
func (r *remote) logout(ctx context.Context) {
	r.mu.Lock()
	refresh := r.refresh
	r.access, r.refresh = "", ""
	r.mu.Unlock()
	if refresh == "" {
		return
	}
	if resp, err := r.send(ctx, http.MethodPost, "com.atproto.server.deleteSession", nil, nil, refresh); err == nil {
		resp.Body.Close()
	}
}

// get calls a query and returns the successful response, whose body the
// caller streams and closes. An expired access token is refreshed once.
func (r *remote) get(ctx context.Context, method string, q url.Values) (*http.Response, error) {
	r.mu.Lock()
	access := r.access
	r.mu.Unlock()
	resp, err := r.send(ctx, http.MethodGet, method, q, nil, access)
	var re *remoteError
	if access == "" || !errors.As(err, &re) || re.Name != "ExpiredToken" {
		return resp, err
	}
	if err := r.refreshSession(ctx); err != nil {
		return nil, err
	}
	r.mu.Lock()
	access = r.access
	r.mu.Unlock()
	return r.send(ctx, http.MethodGet, method, q, nil, access)
}

// refreshSession swaps the tokens (com.atproto.server.refreshSession).
func (r *remote) refreshSession(ctx context.Context) error {
	r.mu.Lock()
	refresh := r.refresh
	r.mu.Unlock()
	resp, err := r.send(ctx, http.MethodPost, "com.atproto.server.refreshSession", nil, nil, refresh)
	if err != nil {
		return fmt.Errorf("refresh the session at %s: %w", r.base, err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessJwt  string `json:"accessJwt"`
		RefreshJwt string `json:"refreshJwt"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil || out.AccessJwt == "" {
		return fmt.Errorf("%w: refresh the session at %s: unreadable answer", ErrSource, r.base)
	}
	r.mu.Lock()
	r.access, r.refresh = out.AccessJwt, out.RefreshJwt
	r.mu.Unlock()
	return nil
}

// send makes one XRPC request; a non-2xx answer becomes a *remoteError.
func (r *remote) send(ctx context.Context, verb, method string, q url.Values, body []byte, token string) (*http.Response, error) {
	u := r.base + "/xrpc/" + method
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, verb, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", method, r.base, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	re := &remoteError{Method: method, Status: resp.StatusCode}
	var xe struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &xe) == nil {
		re.Name, re.Message = xe.Error, xe.Message
	}
	return nil, re
}
