package oauth

import (
	"context"
	"crypto/hmac"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// DPoP nonces are HMACs of a time step under NonceKey: every instance on
// one database computes the same nonce without sharing state. A nonce is
// issued for the current step and accepted for a few steps around it, so
// it lives at most nonceStep*(nonceBehind+1) (well under the spec's five
// minutes) and rotation does not break requests in flight.
const (
	nonceStep   = time.Minute
	nonceBehind = 2 // steps a nonce stays valid after its own
	nonceAhead  = 1 // steps of clock skew between instances

	// proofMaxAge and proofMaxSkew bound a proof's iat.
	proofMaxAge  = 5 * time.Minute
	proofMaxSkew = time.Minute
)

// nonceAt returns the nonce of the step containing t.
func (s *Server) nonceAt(step int64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(step))
	return b64.EncodeToString(hmacSHA256(s.cfg.NonceKey, "dpop-nonce:"+string(b[:]))[:18])
}

// Nonce returns the current DPoP nonce.
func (s *Server) Nonce() string { return s.nonceAt(s.clock().UnixNano() / int64(nonceStep)) }

// nonceValid reports whether n is the nonce of a recent step.
func (s *Server) nonceValid(n string) bool {
	cur := s.clock().UnixNano() / int64(nonceStep)
	for step := cur - nonceBehind; step <= cur+nonceAhead; step++ {
		if hmac.Equal([]byte(n), []byte(s.nonceAt(step))) {
			return true
		}
	}
	return false
}

// proofClaims are a DPoP proof's claims.
type proofClaims struct {
	JTI   string      `json:"jti"`
	HTM   string      `json:"htm"`
	HTU   string      `json:"htu"`
	IAT   json.Number `json:"iat"`
	Nonce string      `json:"nonce"`
	ATH   string      `json:"ath"`
}

// proofError is a refused DPoP proof: Nonce says the client should retry
// with the current nonce.
type proofError struct {
	Nonce bool
	Msg   string
}

func (e *proofError) Error() string { return e.Msg }

func badProof(format string, args ...any) *proofError {
	return &proofError{Msg: "DPoP proof: " + fmt.Sprintf(format, args...)}
}

// checkProof verifies the request's DPoP proof for the absolute URL htu
// and, when accessToken is set, its ath; it returns the key's thumbprint.
// The proof's jti is recorded so the proof cannot be replayed.
func (s *Server) checkProof(ctx context.Context, r *http.Request, htu, accessToken string) (string, error) {
	vals := r.Header.Values("DPoP")
	switch {
	case len(vals) == 0:
		return "", badProof("missing (send a DPoP header)")
	case len(vals) > 1:
		return "", badProof("more than one DPoP header")
	}
	t, err := parseJWS(vals[0])
	if err != nil {
		return "", badProof("%v", err)
	}
	if !strings.EqualFold(t.header.Typ, "dpop+jwt") {
		return "", badProof("typ must be dpop+jwt")
	}
	if t.header.JWK == nil {
		return "", badProof("no jwk in the header")
	}
	pub, err := t.header.JWK.publicKey()
	if err != nil {
		return "", badProof("%v", err)
	}
	if err := t.verifyES256(pub); err != nil {
		return "", badProof("%v", err)
	}
	var c proofClaims
	if err := t.claims(&c); err != nil {
		return "", badProof("%v", err)
	}
	if c.JTI == "" || len(c.JTI) > 256 {
		return "", badProof("jti missing or too long")
	}
	if c.HTM != r.Method {
		return "", badProof("htm %q does not match the request method %s", c.HTM, r.Method)
	}
	if !sameHTU(c.HTU, htu) {
		return "", badProof("htu %q does not match %s", c.HTU, htu)
	}
	iat, err := c.IAT.Int64()
	if err != nil {
		return "", badProof("iat missing or not an integer")
	}
	now := s.clock()
	issued := time.Unix(iat, 0)
	if issued.Before(now.Add(-proofMaxAge)) || issued.After(now.Add(proofMaxSkew)) {
		return "", badProof("iat is too far from the server's time")
	}
	if accessToken != "" && !hmac.Equal([]byte(c.ATH), []byte(s256(accessToken))) {
		return "", badProof("ath does not match the access token")
	}
	if c.Nonce == "" {
		return "", &proofError{Nonce: true, Msg: "DPoP proof: a server nonce is required"}
	}
	if !s.nonceValid(c.Nonce) {
		return "", &proofError{Nonce: true, Msg: "DPoP proof: the nonce is stale or unknown"}
	}
	jkt := t.header.JWK.thumbprint()
	err = s.cfg.Store.UseNonce(ctx, "dpop:"+jkt+":"+c.JTI, now.Add(proofMaxAge+proofMaxSkew))
	if errors.Is(err, store.ErrConflict) {
		return "", badProof("replayed (jti already used)")
	}
	if err != nil {
		return "", err
	}
	return jkt, nil
}

// asProofError maps a proof failure at the authorization server to an
// OAuth error (400 invalid_dpop_proof or use_dpop_nonce).
func asProofError(err error) error {
	var pe *proofError
	if !errors.As(err, &pe) {
		return err
	}
	if pe.Nonce {
		return errUseNonce("%s", pe.Msg)
	}
	return invalidDPoP("%s", pe.Msg)
}

// sameHTU compares a proof's htu with the expected URL, ignoring the
// query and fragment and normalizing case and default ports (RFC 9449
// section 4.3).
func sameHTU(claim, want string) bool {
	a, errA := normalizeHTU(claim)
	b, errB := normalizeHTU(want)
	return errA == nil && errB == nil && a == b
}

func normalizeHTU(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme == "" || u.Host == "" {
		return "", errors.New("not absolute")
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, nil
}

// setNonce puts the current nonce on a response.
func (s *Server) setNonce(w http.ResponseWriter) {
	w.Header().Set("DPoP-Nonce", s.Nonce())
}
