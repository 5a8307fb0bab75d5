package oauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/store"
)

// device returns the browser's device ID from its cookie, setting a new
// one when create is set and there is none.
func (s *Server) device(w http.ResponseWriter, r *http.Request, create bool) string {
	if c, err := r.Cookie(deviceCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	if !create {
		return ""
	}
	id := randomToken(32)
	http.SetCookie(w, &http.Cookie{
		Name: deviceCookie, Value: id, Path: "/oauth/", MaxAge: int(deviceTTL.Seconds()),
		HttpOnly: true, Secure: strings.HasPrefix(s.cfg.Issuer, "https://"), SameSite: http.SameSiteLaxMode,
	})
	return id
}

// csrf is the form token of a device and request.
func (s *Server) csrf(device, requestID string) string {
	return b64.EncodeToString(hmacSHA256(s.cfg.NonceKey, "csrf:"+device+":"+requestID))
}

// deviceAccounts lists the accounts signed in on a device (only the hinted
// one when the request has a login_hint).
func (s *Server) deviceAccounts(ctx context.Context, device string, pd *pending) ([]pageAccount, error) {
	list, err := s.cfg.Store.ListOAuthDeviceAccounts(ctx, hashSecret(device), s.clock())
	if err != nil {
		return nil, err
	}
	hint := s.hintDID(ctx, pd)
	var out []pageAccount
	for _, d := range list {
		if hint != "" && d.DID != hint {
			continue
		}
		a, err := s.cfg.Store.GetAccount(ctx, d.DID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, pageAccount{DID: a.DID, Handle: a.Handle})
	}
	return out, nil
}

// signedIn reports whether did is signed in on the device (and allowed by
// the login hint).
func (s *Server) signedIn(ctx context.Context, device string, pd *pending, did string) (pageAccount, bool, error) {
	accounts, err := s.deviceAccounts(ctx, device, pd)
	if err != nil {
		return pageAccount{}, false, err
	}
	for _, a := range accounts {
		if a.DID == did {
			return a, true, nil
		}
	}
	return pageAccount{}, false, nil
}

// hintDID resolves the request's login_hint to a local account's DID, or
// "" when there is no hint or it names no local account.
func (s *Server) hintDID(ctx context.Context, pd *pending) string {
	if pd.params.LoginHint == "" {
		return ""
	}
	a, err := s.cfg.Accounts.Lookup(ctx, pd.params.LoginHint)
	if err != nil {
		return ""
	}
	return a.DID
}

// dummyHash is a password hash verified against when a login names no
// account, so unknown accounts cost as much as known ones.
type dummyHash struct {
	once sync.Once
	hash string
}

func (d *dummyHash) verify(ctx context.Context, password string) {
	d.once.Do(func() { d.hash, _ = auth.HashPassword(context.Background(), "hearth: no such account") })
	_, _ = auth.VerifyPassword(ctx, password, d.hash)
}
