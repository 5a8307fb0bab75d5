package oauthtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	indigoauth "github.com/bluesky-social/indigo/atproto/auth"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/identity"
)

// Service is a stand-in atproto service (an AppView) on loopback: a did:plc
// in the test PLC directory whose service entry points at it. It verifies
// each call's service-auth JWT with indigo (audience its DID, lxm the
// method), records the calls that pass and answers {"ok": true}.
type Service struct {
	DID syntax.DID
	ID  string

	mu    sync.Mutex
	calls []string
}

// Ref is the service reference "did#id" (HEARTH_APPVIEW, rpc scopes' aud).
func (s *Service) Ref() string { return s.DID.String() + "#" + s.ID }

// Calls returns the NSIDs of the calls received so far.
func (s *Service) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// StartService runs a stand-in service with service id (e.g.
// "bsky_appview") of type typ (e.g. "BskyAppView") until the test ends.
func StartService(t testing.TB, plcURL, id, typ string) *Service {
	t.Helper()
	svc := &Service{ID: id}
	dir := identity.NewDirectory(identity.DirectoryConfig{PLCURL: plcURL})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nsid := syntax.NSID(strings.TrimPrefix(r.URL.Path, "/xrpc/"))
		v := indigoauth.ServiceAuthValidator{Audience: svc.DID.String(), Dir: dir}
		w.Header().Set("Content-Type", "application/json")
		if _, err := v.Validate(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), &nsid); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "BadJwt", "message": err.Error()})
			return
		}
		svc.mu.Lock()
		svc.calls = append(svc.calls, nsid.String())
		svc.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true})
	}))
	t.Cleanup(srv.Close)
	svc.DID = register(t, plcURL, srv.URL, id, typ)
	return svc
}

// register creates a did:plc whose document lists service #id at url.
func register(t testing.TB, plcURL, url, id, typ string) syntax.DID {
	t.Helper()
	ctx := context.Background()
	key, err := atcrypto.GeneratePrivateKeyK256()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := key.PublicKey()
	plc := identity.NewPLCClient(plcURL, http.DefaultClient)
	did, _, err := plc.CreateDID(ctx, identity.GenesisParams{SigningKey: pub, Signer: key, PDSEndpoint: url})
	if err != nil {
		t.Fatal(err)
	}
	_, err = plc.Update(ctx, did, key, func(d *identity.OpData) error {
		d.Services[id] = identity.OpService{Type: typ, Endpoint: url}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return did
}
