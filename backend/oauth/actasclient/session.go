package actasclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/auth/oauth"
)

// Session is an act-as token of an account with its DPoP key. It is safe
// for concurrent use. The token and key never leave it.
type Session struct {
	Target Target
	// Scope is the granted scope: what was asked for within the grant.
	Scope string
	// ExpiresAt is when the token expires (by this machine's clock).
	ExpiresAt time.Time

	hc       *http.Client
	clientID string
	token    string
	key      atcrypto.PrivateKey

	mu    sync.Mutex
	nonce string // the PDS's latest DPoP nonce
}

// Expired reports whether the token has expired at now, or will within
// margin.
func (s *Session) Expired(now time.Time, margin time.Duration) bool {
	return !now.Add(margin).Before(s.ExpiresAt)
}

// Call makes an XRPC call to the account's PDS with the token: a query
// (GET, params) when in is nil, else a procedure (POST, in as JSON). The
// answer's JSON goes into out (unless nil). An XRPC error answer is an
// *XRPCError (wrapping ErrTokenRejected when the token itself was
// refused); a DPoP nonce request is answered once.
func (s *Session) Call(ctx context.Context, nsid string, params url.Values, in, out any) error {
	u := s.Target.PDS + "/xrpc/" + nsid
	method := http.MethodGet
	var body []byte
	if in != nil {
		method = http.MethodPost
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("actasclient: %s: encode input: %w", nsid, err)
		}
		body = b
	}
	full := u
	if len(params) > 0 {
		full += "?" + params.Encode()
	}
	for attempt := 0; ; attempt++ {
		s.mu.Lock()
		nonce := s.nonce
		s.mu.Unlock()
		resp, err := s.do(ctx, method, full, u, body, nonce)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrUnreachable, nsid, err)
		}
		next := resp.Header.Get("DPoP-Nonce")
		if next != "" {
			s.mu.Lock()
			s.nonce = next
			s.mu.Unlock()
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxDoc))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrUnreachable, nsid, err)
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 && next != "" && next != nonce &&
			strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="use_dpop_nonce"`) {
			continue
		}
		if resp.StatusCode/100 != 2 {
			return xrpcError(resp.StatusCode, b)
		}
		if out == nil || len(b) == 0 {
			return nil
		}
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%w: %s: the answer is not the expected JSON: %w", ErrUnreachable, nsid, err)
		}
		return nil
	}
}

// do sends one request with the token and a DPoP proof for htu (the URL
// without its query).
func (s *Session) do(ctx context.Context, method, full, htu string, body []byte, nonce string) (*http.Response, error) {
	proof, err := s.proof(method, htu, nonce)
	if err != nil {
		return nil, err
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, full, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "DPoP "+s.token)
	req.Header.Set("DPoP", proof)
	return s.hc.Do(req)
}

// proof is a resource-server DPoP proof (with ath, the token's hash),
// signed by indigo's ClientSession with this session's key.
func (s *Session) proof(method, htu, nonce string) (string, error) {
	cs := oauth.ClientSession{
		DPoPPrivateKey: s.key,
		Data: &oauth.ClientSessionData{
			AccountDID: s.Target.DID, AccessToken: s.token, AuthServerURL: s.Target.Issuer, DPoPHostNonce: nonce,
		},
	}
	p, err := cs.NewHostDPoP(method, htu)
	if err != nil {
		return "", fmt.Errorf("actasclient: DPoP proof: %w", err)
	}
	return p, nil
}

// xrpcError reads an XRPC error answer.
func xrpcError(status int, b []byte) error {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(b, &e)
	if e.Error == "" {
		e.Error = http.StatusText(status)
	}
	return &XRPCError{Status: status, Name: e.Error, Message: e.Message}
}

// Revoke asks the account's authorization server to end the token
// (RFC 7009); without a revocation endpoint it does nothing. The token
// expires within minutes anyway.
func (s *Session) Revoke(ctx context.Context) error {
	if s.Target.RevocationEndpoint == "" {
		return nil
	}
	form := url.Values{"token": {s.token}, "client_id": {s.clientID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Target.RevocationEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("%w: revoke: %w", ErrUnreachable, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: revoke: %w", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDoc))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: revoke answered HTTP %d", ErrUnreachable, resp.StatusCode)
	}
	return nil
}
