package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/hearthpds/hearth/backend/store"
)

// revoke is POST /oauth/revoke (RFC 7009): revoking an access or refresh
// token ends its whole sign-in (the token family). Unknown tokens and
// tokens of other clients are answered 200, as the RFC asks.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	s.setNonce(w)
	if err := s.revokeToken(w, r); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := readForm(w, r); err != nil {
		return err
	}
	token, err := single(r, "token")
	if err != nil {
		return err
	}
	if token == "" {
		return invalidRequest("token is required")
	}
	clientID, err := single(r, "client_id")
	if err != nil {
		return err
	}
	c, err := s.clients.get(r.Context(), clientID)
	if err != nil {
		return err
	}
	// A client that cannot authenticate may still revoke its own public
	// session; a confidential client must authenticate.
	if _, err := s.authenticateClient(r.Context(), r, c); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Status = http.StatusUnauthorized
		}
		return err
	}
	family := ""
	if claims, err := s.parseAccess(token, false); err == nil {
		if claims.ClientID == c.ID {
			family = claims.SID
		}
	} else {
		t, err := s.cfg.Store.GetOAuthToken(r.Context(), hashSecret(token))
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case t.ClientID == c.ID:
			family = t.FamilyID
		}
	}
	if family == "" {
		return nil
	}
	if _, err := s.cfg.Store.RevokeOAuthFamily(r.Context(), family, s.clock()); err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	return nil
}

// decodeParams reads a stored request's parameters.
func decodeParams(req store.OAuthRequest) (authParams, error) {
	var p authParams
	if err := json.Unmarshal(req.Params, &p); err != nil {
		return p, fmt.Errorf("oauth request %s: stored parameters: %w", req.ID, err)
	}
	return p, nil
}
