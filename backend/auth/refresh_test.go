package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// refreshID returns the jti of a session's refresh token.
func refreshID(t *testing.T, s Session) string {
	t.Helper()
	_, p := decodeJWT(t, s.RefreshJwt)
	id, _ := p["jti"].(string)
	return id
}

func TestRefreshRotates(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	s1 := f.issue(t, alice, nil)
	f.clock.Advance(time.Hour)

	s2, err := f.tokens.Refresh(ctx, s1.RefreshJwt)
	if err != nil {
		t.Fatal(err)
	}
	id1, id2 := refreshID(t, s1), refreshID(t, s2)
	if id1 == id2 || s2.DID != alice || s2.Scope != ScopeAccess {
		t.Fatalf("rotation gave jti %q → %q, session %v", id1, id2, s2)
	}
	if _, err := f.tokens.VerifyAccess(s2.AccessJwt); err != nil {
		t.Fatalf("new access token: %v", err)
	}
	old, _ := f.sessions.GetRefreshToken(ctx, id1)
	if old.NextID != id2 || !old.ExpiresAt.Equal(f.clock.Now().Add(DefaultRefreshGrace)) {
		t.Fatalf("old token after rotation: %+v", old)
	}
	next, _ := f.sessions.GetRefreshToken(ctx, id2)
	if !next.ExpiresAt.Equal(f.clock.Now().Add(DefaultRefreshTTL)) || !next.ExpiresAt.Equal(s2.RefreshExpiresAt) {
		t.Fatalf("new token row %+v, session refresh expiry %v", next, s2.RefreshExpiresAt)
	}
}

func TestRefreshGraceReturnsSameSuccessor(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	s1 := f.issue(t, alice, nil)
	s2, err := f.tokens.Refresh(ctx, s1.RefreshJwt)
	if err != nil {
		t.Fatal(err)
	}

	// The response was lost; the client retries with the old token.
	f.clock.Advance(DefaultRefreshGrace - time.Second)
	s3, err := f.tokens.Refresh(ctx, s1.RefreshJwt)
	if err != nil {
		t.Fatalf("reuse within grace: %v", err)
	}
	if refreshID(t, s3) != refreshID(t, s2) {
		t.Fatal("reuse within grace did not return the same successor")
	}
	if !s3.RefreshExpiresAt.Equal(s2.RefreshExpiresAt) {
		t.Fatalf("re-issued successor expires %v, originally %v", s3.RefreshExpiresAt, s2.RefreshExpiresAt)
	}
	if f.sessions.count() != 2 {
		t.Fatalf("%d refresh tokens stored, want 2", f.sessions.count())
	}

	// After the grace period the old token is dead; the successor is not.
	f.clock.Advance(time.Second)
	if _, err := f.tokens.Refresh(ctx, s1.RefreshJwt); !errors.Is(err, ErrRevokedToken) {
		t.Fatalf("reuse after grace: err = %v, want ErrRevokedToken", err)
	}
	if _, err := f.tokens.VerifyRefresh(ctx, s1.RefreshJwt); !errors.Is(err, ErrRevokedToken) {
		t.Fatalf("VerifyRefresh after grace: err = %v, want ErrRevokedToken", err)
	}
	if _, err := f.tokens.Refresh(ctx, s2.RefreshJwt); err != nil {
		t.Fatalf("successor after the old token's grace: %v", err)
	}
	// Also after pruning, which deletes the dead row.
	f.clock.Advance(time.Second)
	if n, err := f.tokens.PruneExpired(ctx); err != nil || n != 1 {
		t.Fatalf("PruneExpired = %d, %v; want 1", n, err)
	}
	if _, err := f.tokens.Refresh(ctx, s1.RefreshJwt); !errors.Is(err, ErrRevokedToken) {
		t.Fatalf("reuse after prune: err = %v, want ErrRevokedToken", err)
	}
}

func TestRefreshGraceCappedByOwnExpiry(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t, func(c *TokenConfig) { c.RefreshTTL = 3 * time.Hour })
	s1 := f.issue(t, alice, nil)
	f.clock.Advance(2 * time.Hour) // one hour of life left, less than the grace
	if _, err := f.tokens.Refresh(ctx, s1.RefreshJwt); err != nil {
		t.Fatal(err)
	}
	old, _ := f.sessions.GetRefreshToken(ctx, refreshID(t, s1))
	if want := f.clock.Now().Add(time.Hour); !old.ExpiresAt.Equal(want) {
		t.Fatalf("grace ends %v, want the token's own expiry %v", old.ExpiresAt, want)
	}
}

func TestRefreshTokenExpiry(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	s := f.issue(t, alice, nil)
	f.clock.Advance(DefaultRefreshTTL)
	if _, err := f.tokens.Refresh(ctx, s.RefreshJwt); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("err = %v, want ErrExpiredToken", err)
	}
	if _, err := f.tokens.VerifyRefresh(ctx, s.RefreshJwt); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("VerifyRefresh: err = %v, want ErrExpiredToken", err)
	}
}

func TestRefreshRejectsAccessToken(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	s := f.issue(t, alice, nil)
	if _, err := f.tokens.Refresh(ctx, s.AccessJwt); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("Refresh(access): err = %v, want ErrInvalidToken", err)
	}
	if _, err := f.tokens.VerifyRefresh(ctx, s.AccessJwt); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("VerifyRefresh(access): err = %v, want ErrInvalidToken", err)
	}
	if err := f.tokens.Revoke(ctx, s.AccessJwt); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("Revoke(access): err = %v, want ErrInvalidToken", err)
	}
	if f.sessions.count() != 1 {
		t.Fatal("a rejected token changed the store")
	}
}

func TestRefreshTokenOfAnotherAccount(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	s := f.issue(t, bob, nil)
	// A correctly signed token for alice naming bob's row.
	forged, err := f.tokens.sign(typRefresh, wireClaims{
		Scope: ScopeRefresh, Sub: alice, Aud: testServiceDID,
		Iat: f.clock.Now().Unix(), Exp: f.clock.Now().Add(time.Hour).Unix(), Jti: refreshID(t, s),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.tokens.Refresh(ctx, forged); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("Refresh: err = %v, want ErrInvalidToken", err)
	}
	if err := f.tokens.Revoke(ctx, forged); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("Revoke: err = %v, want ErrInvalidToken", err)
	}
	if _, err := f.tokens.VerifyRefresh(ctx, s.RefreshJwt); err != nil {
		t.Fatalf("bob's token harmed: %v", err)
	}
}

func TestRefreshKeepsAppPasswordScope(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	ap := store.AppPassword{DID: alice, Name: "chat", Privileged: true, Hash: []byte{1}}
	if err := f.sessions.CreateAppPassword(ctx, ap); err != nil {
		t.Fatal(err)
	}
	s1 := f.issue(t, alice, &ap)
	s2, err := f.tokens.Refresh(ctx, s1.RefreshJwt)
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.tokens.VerifyAccess(s2.AccessJwt)
	if err != nil {
		t.Fatal(err)
	}
	if c.Scope != ScopeAppPassPrivileged {
		t.Fatalf("refreshed scope %q, want %q", c.Scope, ScopeAppPassPrivileged)
	}
	row, _ := f.sessions.GetRefreshToken(ctx, refreshID(t, s2))
	if row.AppPasswordName != "chat" {
		t.Fatalf("successor lost its app password: %+v", row)
	}

	if err := f.sessions.RevokeAppPassword(ctx, alice, "chat"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tokens.Refresh(ctx, s2.RefreshJwt); !errors.Is(err, ErrRevokedToken) {
		t.Fatalf("after app password revoked: err = %v, want ErrRevokedToken", err)
	}
}

func TestRefreshAppPasswordGoneButTokenLeft(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	// The app password row is absent (deleted without its tokens).
	s := f.issue(t, alice, &store.AppPassword{DID: alice, Name: "gone"})
	if _, err := f.tokens.Refresh(ctx, s.RefreshJwt); !errors.Is(err, ErrRevokedToken) {
		t.Fatalf("err = %v, want ErrRevokedToken", err)
	}
}

// TestRefreshConcurrentRotationRetries: another refresh of the same token
// rotates it between our read and our write; we must return the winner's
// successor rather than fail or fork the session.
func TestRefreshConcurrentRotationRetries(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	s1 := f.issue(t, alice, nil)
	var winner Session
	f.sessions.beforeRotate = func(string) {
		f.sessions.beforeRotate = nil
		var err error
		if winner, err = f.tokens.Refresh(ctx, s1.RefreshJwt); err != nil {
			t.Errorf("concurrent refresh: %v", err)
		}
	}
	loser, err := f.tokens.Refresh(ctx, s1.RefreshJwt)
	if err != nil {
		t.Fatalf("refresh that lost the race: %v", err)
	}
	if refreshID(t, loser) != refreshID(t, winner) {
		t.Fatal("racing refreshes got different successors")
	}
	if f.sessions.count() != 2 {
		t.Fatalf("%d tokens stored, want 2", f.sessions.count())
	}
}

func TestRefreshConcurrentGoroutines(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	s1 := f.issue(t, alice, nil)
	const n = 8
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := f.tokens.Refresh(ctx, s1.RefreshJwt)
			if err != nil {
				t.Errorf("refresh %d: %v", i, err)
				return
			}
			ids[i] = refreshID(t, s)
		})
	}
	wg.Wait()
	for i := range ids {
		if ids[i] != ids[0] {
			t.Fatalf("refresh %d got %q, refresh 0 got %q", i, ids[i], ids[0])
		}
	}
}

func TestRevoke(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	s := f.issue(t, alice, nil)
	other := f.issue(t, alice, nil)
	if err := f.tokens.Revoke(ctx, s.RefreshJwt); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tokens.VerifyRefresh(ctx, s.RefreshJwt); !errors.Is(err, ErrRevokedToken) {
		t.Fatalf("VerifyRefresh after revoke: err = %v, want ErrRevokedToken", err)
	}
	if _, err := f.tokens.Refresh(ctx, s.RefreshJwt); !errors.Is(err, ErrRevokedToken) {
		t.Fatalf("Refresh after revoke: err = %v, want ErrRevokedToken", err)
	}
	if err := f.tokens.Revoke(ctx, s.RefreshJwt); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
	if _, err := f.tokens.VerifyRefresh(ctx, other.RefreshJwt); err != nil {
		t.Fatalf("another session of the same account was revoked: %v", err)
	}
	tampered := s.RefreshJwt[:len(s.RefreshJwt)-4] + "AAAA"
	if err := f.tokens.Revoke(ctx, tampered); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("tampered: err = %v, want ErrInvalidToken", err)
	}
}

func TestRevokeAcceptsExpiredToken(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	s := f.issue(t, alice, nil)
	f.clock.Advance(DefaultRefreshTTL + time.Hour)
	if err := f.tokens.Revoke(ctx, s.RefreshJwt); err != nil {
		t.Fatalf("revoking an expired token: %v", err)
	}
	if f.sessions.count() != 0 {
		t.Fatal("expired token row not deleted")
	}
}

// TestRevokeOldTokenEndsSuccessors: logging out with a token that was
// already rotated (still in its grace period) must not leave the newer token
// alive.
func TestRevokeOldTokenEndsSuccessors(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	s1 := f.issue(t, alice, nil)
	s2, err := f.tokens.Refresh(ctx, s1.RefreshJwt)
	if err != nil {
		t.Fatal(err)
	}
	s3, err := f.tokens.Refresh(ctx, s2.RefreshJwt)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.tokens.Revoke(ctx, s1.RefreshJwt); err != nil {
		t.Fatal(err)
	}
	for i, s := range []Session{s1, s2, s3} {
		if _, err := f.tokens.Refresh(ctx, s.RefreshJwt); !errors.Is(err, ErrRevokedToken) {
			t.Fatalf("token %d after revoke: err = %v, want ErrRevokedToken", i+1, err)
		}
	}
	if f.sessions.count() != 0 {
		t.Fatalf("%d tokens left", f.sessions.count())
	}
}

func TestRevokeSuccessorEndsGraceReuse(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	s1 := f.issue(t, alice, nil)
	s2, err := f.tokens.Refresh(ctx, s1.RefreshJwt)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.tokens.Revoke(ctx, s2.RefreshJwt); err != nil {
		t.Fatal(err)
	}
	// The old token is still in its grace period, but its successor is gone:
	// it must not resurrect the session.
	if _, err := f.tokens.Refresh(ctx, s1.RefreshJwt); !errors.Is(err, ErrRevokedToken) {
		t.Fatalf("err = %v, want ErrRevokedToken", err)
	}
}
