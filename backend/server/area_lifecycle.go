package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// nonceSweepInterval is how often expired service-auth jtis are forgotten.
const nonceSweepInterval = 10 * time.Minute

// lifecycleArea holds the account lifecycle services: migrations, account
// status and deletion, identity operations and service auth.
type lifecycleArea struct {
	lifecycle   *account.Lifecycle
	serviceAuth *auth.ServiceAuth
}

// initLifecycle builds the lifecycle services (sharing the mail area's
// account-token service) and starts the sweep of expired service-auth jtis.
func (s *Server) initLifecycle(context.Context) error {
	s.lifecycle = account.NewLifecycle(account.LifecycleConfig{
		Accounts: s.accounts, Store: s.store, Directory: forgetfulDirectory{s.dir, s.didDocs}, Tokens: s.accountTokens, Logger: s.log,
	})
	sa, err := auth.NewServiceAuth(auth.ServiceAuthConfig{ServiceDID: s.cfg.ServiceDID.String(), Directory: s.dir, Nonces: s.store})
	if err != nil {
		return err
	}
	s.serviceAuth = sa
	s.closers = append(s.closers, s.sweepNonces(s.store))
	if s.blobSvc != nil {
		// A deleted account's blob files go once no other account names them.
		s.lifecycle.OnDelete(func(ctx context.Context, did string) {
			go func() {
				if _, err := s.blobSvc.Sweep(ctx); err != nil {
					s.log.Warn("sweep blobs after account deletion", "did", did, "err", err)
				}
			}()
		})
	}
	return nil
}

// sweepNonces deletes expired nonces periodically until the returned stop
// function is called.
func (s *Server) sweepNonces(n store.Nonces) func() error {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(nonceSweepInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				if _, err := n.DeleteExpiredNonces(context.Background(), now); err != nil {
					s.log.Warn("sweep expired service-auth nonces", "err", err)
				}
			}
		}
	}()
	return func() error {
		close(stop)
		wg.Wait()
		return nil
	}
}

// registerLifecycle adds the lifecycle routes and enables service auth on
// the router.
func (s *Server) registerLifecycle(rt *xrpc.Router, _ *http.ServeMux) {
	rt.SetServiceVerifier(&xrpc.ServiceAuthVerifier{Verifier: s.serviceAuth})
	rt.Register((&xrpc.LifecycleHandlers{Lifecycle: s.lifecycle, Log: s.log}).Methods()...)
	rt.Register((&xrpc.IdentityOpsHandlers{Lifecycle: s.lifecycle, Directory: s.dir, Store: s.store}).Methods()...)
}

// Lifecycle returns the account lifecycle service. The desktop app may set
// its own emailed-token handler on it (showing tokens to its owner).
func (s *Server) Lifecycle() *account.Lifecycle { return s.lifecycle }

// ServiceAuth returns the service-auth verifier, for areas that accept
// service auth outside the router.
func (s *Server) ServiceAuth() *auth.ServiceAuth { return s.serviceAuth }
