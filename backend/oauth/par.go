package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// authParams are a pushed request's parameters, kept as JSON with it.
type authParams struct {
	RedirectURI   string `json:"redirect_uri"`
	State         string `json:"state"`
	Scope         string `json:"scope"`
	CodeChallenge string `json:"code_challenge"`
	ResponseMode  string `json:"response_mode"`
	LoginHint     string `json:"login_hint,omitempty"`
	Prompt        string `json:"prompt,omitempty"`
}

// pkcePattern is a valid PKCE verifier or S256 challenge (RFC 7636).
var pkcePattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// par is POST /oauth/par: validates a pushed authorization request, binds
// it to the DPoP key of its proof and returns its request_uri.
func (s *Server) par(w http.ResponseWriter, r *http.Request) {
	s.setNonce(w)
	out, err := s.pushRequest(w, r)
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) pushRequest(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	if err := readForm(w, r); err != nil {
		return nil, err
	}
	for _, name := range []string{"request", "request_uri"} {
		if r.PostForm.Has(name) {
			return nil, invalidRequest("the %s parameter is not supported in a pushed request", name)
		}
	}
	clientID, err := single(r, "client_id")
	if err != nil {
		return nil, err
	}
	c, err := s.clients.get(r.Context(), clientID)
	if err != nil {
		return nil, err
	}
	// The proof (and its nonce) first: a client retrying with a fresh nonce
	// resends the same client assertion, whose jti must not be spent yet.
	jkt, err := s.checkProof(r.Context(), r, s.endpoint(pathPAR), "")
	if err != nil {
		return nil, asProofError(err)
	}
	clientAuth, err := s.authenticateClient(r.Context(), r, c)
	if err != nil {
		return nil, err
	}
	if want, _ := single(r, "dpop_jkt"); want != "" && want != jkt {
		return nil, invalidDPoP("dpop_jkt does not match the DPoP proof's key")
	}
	p, err := s.authParamsOf(r, c)
	if err != nil {
		return nil, err
	}
	params, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode request parameters: %w", err)
	}
	// A challenge is used once (the spec: at least within 24 hours).
	err = s.cfg.Store.UseNonce(r.Context(), "pkce:"+p.CodeChallenge, s.clock().Add(24*time.Hour))
	if errors.Is(err, store.ErrConflict) {
		return nil, invalidRequest("code_challenge was already used; generate a new PKCE verifier for every request")
	}
	if err != nil {
		return nil, err
	}
	id := randomToken(24)
	req := store.OAuthRequest{
		ID: id, ClientID: c.ID, ClientAuth: clientAuth, DPoPJKT: jkt, Params: params,
		ExpiresAt: s.clock().Add(requestTTL),
	}
	if err := s.cfg.Store.CreateOAuthRequest(r.Context(), req); err != nil {
		return nil, err
	}
	return map[string]any{"request_uri": requestURIPrefix + id, "expires_in": int(requestTTL.Seconds())}, nil
}

// authParamsOf validates the authorization parameters of a pushed request.
func (s *Server) authParamsOf(r *http.Request, c *client) (authParams, error) {
	var p authParams
	get := func(name string, dst *string) error {
		v, err := single(r, name)
		*dst = v
		return err
	}
	var responseType, method string
	for name, dst := range map[string]*string{
		"response_type": &responseType, "code_challenge_method": &method, "redirect_uri": &p.RedirectURI,
		"state": &p.State, "scope": &p.Scope, "code_challenge": &p.CodeChallenge,
		"response_mode": &p.ResponseMode, "login_hint": &p.LoginHint, "prompt": &p.Prompt,
	} {
		if err := get(name, dst); err != nil {
			return p, err
		}
	}
	switch {
	case responseType != "code":
		return p, errorf(http.StatusBadRequest, "unsupported_response_type", "response_type must be code")
	case p.CodeChallenge == "":
		return p, invalidRequest("PKCE is required: send code_challenge and code_challenge_method=S256")
	case method != "S256":
		return p, invalidRequest("code_challenge_method must be S256")
	case !pkcePattern.MatchString(p.CodeChallenge):
		return p, invalidRequest("code_challenge is not a valid S256 challenge")
	case p.State == "":
		return p, invalidRequest("state is required")
	case len(p.State) > 1024 || len(p.LoginHint) > 512:
		return p, invalidRequest("state or login_hint is too long")
	}
	switch p.ResponseMode {
	case "":
		p.ResponseMode = "query"
	case "query", "fragment":
	default:
		return p, invalidRequest("response_mode must be query or fragment")
	}
	switch p.Prompt {
	case "", "login", "consent", "select_account", "none":
	default:
		return p, invalidRequest("unsupported prompt %q", p.Prompt)
	}
	if p.RedirectURI == "" {
		if len(c.Meta.RedirectURIs) != 1 {
			return p, invalidRequest("redirect_uri is required when the client registered several")
		}
		p.RedirectURI = c.Meta.RedirectURIs[0]
	}
	if !redirectRegistered(c, p.RedirectURI) {
		return p, invalidRequest("redirect_uri %q is not registered by the client", p.RedirectURI)
	}
	toks := strings.Fields(p.Scope)
	if !slices.Contains(toks, "atproto") {
		return p, invalidScope("the scope must include atproto")
	}
	declared := c.scopes()
	for _, t := range toks {
		if !slices.Contains(declared, t) {
			return p, invalidScope("scope %q is not declared in the client's metadata", t)
		}
	}
	p.Scope = strings.Join(dedupe(toks), " ")
	return p, nil
}

// redirectRegistered matches a redirect URI against the client's: exactly,
// or for loopback IPs ignoring the port (RFC 8252 section 7.3).
func redirectRegistered(c *client, raw string) bool {
	if slices.Contains(c.Meta.RedirectURIs, raw) {
		return true
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || !loopbackIP(u.Hostname()) {
		return false
	}
	for _, reg := range c.Meta.RedirectURIs {
		ru, err := url.Parse(reg)
		if err != nil || ru.Scheme != "http" || !loopbackIP(ru.Hostname()) {
			continue
		}
		if ru.Hostname() == u.Hostname() && normPath(ru.Path) == normPath(u.Path) && ru.RawQuery == u.RawQuery {
			return true
		}
	}
	return false
}

func normPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// dedupe drops repeated tokens, keeping the first occurrence's order.
func dedupe(toks []string) []string {
	var out []string
	for _, t := range toks {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
