package account_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// sentToken is one token a fakeMailer was asked to send.
type sentToken struct {
	to      string
	purpose store.TokenPurpose
	token   string
}

type fakeMailer struct {
	mu   sync.Mutex
	sent []sentToken
	err  error
}

func (m *fakeMailer) SendToken(_ context.Context, to string, purpose store.TokenPurpose, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.sent = append(m.sent, sentToken{to, purpose, token})
	return nil
}

func (m *fakeMailer) last(t *testing.T) sentToken {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sent) == 0 {
		t.Fatal("no token was sent")
	}
	return m.sent[len(m.sent)-1]
}

type fakeRevoker struct{ revoked []string }

func (r *fakeRevoker) RevokeSessions(_ context.Context, did string) error {
	r.revoked = append(r.revoked, did)
	return nil
}

// tokenFixture is a token service over a real store, with a fake mailer and
// a clock the test moves.
type tokenFixture struct {
	st      store.Store
	svc     *account.TokenService
	mailer  *fakeMailer
	revoker *fakeRevoker
	now     time.Time
}

func newTokenFixture(t *testing.T, st store.Store, withMailer bool) *tokenFixture {
	t.Helper()
	sealer := mustSealer(t)
	f := &tokenFixture{st: st, mailer: &fakeMailer{}, revoker: &fakeRevoker{}, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	cfg := account.TokenServiceConfig{
		Store: st, Sealer: sealer, Sessions: f.revoker, Cooldown: account.TokenCooldown,
		Now: func() time.Time { return f.now },
	}
	if withMailer {
		cfg.Mailer = f.mailer
	}
	f.svc = account.NewTokenService(cfg)
	return f
}

func (f *tokenFixture) addAccount(t *testing.T, did, handle, email string) {
	t.Helper()
	hash, err := auth.HashPassword(context.Background(), "old password")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.st.CreateAccount(context.Background(), store.NewAccount{Account: store.Account{
		DID: did, Handle: handle, Email: email, PasswordHash: hash, SigningKey: []byte("k"), RotationKey: []byte("r"),
		Status: store.StatusActive, CreatedAt: f.now,
	}})
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
}

const (
	didA = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
	didB = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"
	didC = "did:plc:cccccccccccccccccccccccc"
)

func TestTokenService(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		for name, fn := range map[string]func(*testing.T, *tokenFixture){
			"issue check consume": testTokenIssueConsume,
			"expiry and reissue":  testTokenExpiry,
			"cooldown":            testTokenCooldown,
			"no mailer or email":  testTokenNoMailer,
			"confirm email":       testTokenConfirmEmail,
			"update email":        testTokenUpdateEmail,
			"reset password":      testTokenResetPassword,
		} {
			t.Run(name, func(t *testing.T) {
				f := newTokenFixture(t, open(t), name != "no mailer or email")
				f.addAccount(t, didA, "alice.test", "alice@example.com")
				fn(t, f)
			})
		}
	})
}

func testTokenIssueConsume(t *testing.T, f *tokenFixture) {
	ctx := context.Background()
	token, err := f.svc.Issue(ctx, store.TokenDeleteAccount, didA)
	if err != nil {
		t.Fatal(err)
	}
	sent := f.mailer.last(t)
	acct, _ := f.st.GetAccount(ctx, didA)
	if sent.token != token || sent.to != acct.Email || sent.purpose != store.TokenDeleteAccount {
		t.Fatalf("sent %+v, issued %q to %s", sent, token, acct.Email)
	}
	stored, err := f.st.GetAccountToken(ctx, store.TokenDeleteAccount, didA)
	if err != nil || len(stored.Hash) != 32 || bytes.Contains(stored.Hash, []byte(token)) {
		t.Fatalf("stored %x, %v: want a 32-byte hash, never the token", stored.Hash, err)
	}
	for _, bad := range []string{"", "AAAAA-AAAAA", token + "X", token[:5] + token[6:], "<script>", string(make([]byte, 5000))} {
		if err := f.svc.Check(ctx, store.TokenDeleteAccount, didA, bad); !errors.Is(err, account.ErrTokenInvalid) {
			t.Errorf("Check(%.20q) = %v, want ErrTokenInvalid", bad, err)
		}
	}
	if err := f.svc.Check(ctx, store.TokenPLCOperation, didA, token); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("token of another purpose: %v", err)
	}
	if err := f.svc.Check(ctx, store.TokenDeleteAccount, didB, token); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("token of another account: %v", err)
	}
	typed := "  " + toLower(token) + "\n"
	if err := f.svc.Check(ctx, store.TokenDeleteAccount, didA, typed); err != nil {
		t.Errorf("Check of the token as typed: %v", err)
	}
	if err := f.svc.Consume(ctx, store.TokenDeleteAccount, didA, token); err != nil {
		t.Fatalf("Consume: %v", err)
	}
	if err := f.svc.Consume(ctx, store.TokenDeleteAccount, didA, token); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("second Consume = %v, want ErrTokenInvalid", err)
	}
}

func toLower(s string) string { return string(bytes.ToLower([]byte(s))) }

func testTokenExpiry(t *testing.T, f *tokenFixture) {
	ctx := context.Background()
	first, err := f.svc.Issue(ctx, store.TokenPLCOperation, didA)
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(account.TokenTTL - time.Second)
	if err := f.svc.Check(ctx, store.TokenPLCOperation, didA, first); err != nil {
		t.Fatalf("token just inside its TTL: %v", err)
	}
	f.now = f.now.Add(2 * time.Second)
	if err := f.svc.Check(ctx, store.TokenPLCOperation, didA, first); !errors.Is(err, account.ErrTokenExpired) {
		t.Fatalf("token past its TTL: %v, want ErrTokenExpired", err)
	}
	second, err := f.svc.Issue(ctx, store.TokenPLCOperation, didA)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Check(ctx, store.TokenPLCOperation, didA, first); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("replaced token: %v, want ErrTokenInvalid", err)
	}
	if err := f.svc.Consume(ctx, store.TokenPLCOperation, didA, second); err != nil {
		t.Errorf("new token: %v", err)
	}
}

func testTokenCooldown(t *testing.T, f *tokenFixture) {
	ctx := context.Background()
	if _, err := f.svc.Issue(ctx, store.TokenConfirmEmail, didA); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Issue(ctx, store.TokenConfirmEmail, didA); !errors.Is(err, account.ErrTokenTooSoon) {
		t.Errorf("second request at once: %v, want ErrTokenTooSoon", err)
	}
	if _, err := f.svc.Issue(ctx, store.TokenUpdateEmail, didA); err != nil {
		t.Errorf("another purpose: %v", err)
	}
	f.now = f.now.Add(account.TokenCooldown)
	if _, err := f.svc.Issue(ctx, store.TokenConfirmEmail, didA); err != nil {
		t.Errorf("after the cooldown: %v", err)
	}
	f.mailer.err = errors.New("smtp down")
	f.now = f.now.Add(account.TokenCooldown)
	if _, err := f.svc.Issue(ctx, store.TokenConfirmEmail, didA); err == nil || !errors.Is(err, f.mailer.err) {
		t.Errorf("mailer failure: %v", err)
	}
}

func testTokenNoMailer(t *testing.T, f *tokenFixture) {
	ctx := context.Background()
	if f.svc.CanSend() {
		t.Fatal("CanSend without a mailer")
	}
	if _, err := f.svc.Issue(ctx, store.TokenDeleteAccount, didA); !errors.Is(err, account.ErrMailNotConfigured) {
		t.Errorf("Issue = %v, want ErrMailNotConfigured", err)
	}
	if _, err := f.st.GetAccountToken(ctx, store.TokenDeleteAccount, didA); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a token was stored: %v", err)
	}
	if err := f.svc.RequestPasswordReset(ctx, "nobody@example.com"); !errors.Is(err, account.ErrNoEmail) {
		t.Errorf("reset for an unknown address = %v, want ErrNoEmail", err)
	}
	// Create works without a mailer: the desktop shows the token instead.
	token, err := f.svc.Create(ctx, store.TokenDeleteAccount, didA)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Consume(ctx, store.TokenDeleteAccount, didA, token); err != nil {
		t.Errorf("created token: %v", err)
	}
	if _, err := f.svc.Create(ctx, store.TokenDeleteAccount, didC); !errors.Is(err, account.ErrAccountNotFound) {
		t.Errorf("Create for an unknown account = %v", err)
	}
	f.svc = account.NewTokenService(account.TokenServiceConfig{Store: f.st, Sealer: mustSealer(t), Mailer: f.mailer})
	f.addAccount(t, didB, "bob.test", "")
	if _, err := f.svc.Issue(ctx, store.TokenPLCOperation, didB); !errors.Is(err, account.ErrNoEmail) {
		t.Errorf("Issue without an email = %v, want ErrNoEmail", err)
	}
	if _, err := f.svc.RequestEmailUpdate(ctx, didB); !errors.Is(err, account.ErrNoEmail) {
		t.Errorf("RequestEmailUpdate without an email = %v, want ErrNoEmail", err)
	}
}

func mustSealer(t *testing.T) *keys.Sealer {
	t.Helper()
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	s, err := keys.NewSealer(master)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testTokenConfirmEmail(t *testing.T, f *tokenFixture) {
	ctx := context.Background()
	acct, _ := f.st.GetAccount(ctx, didA)
	if err := f.svc.RequestEmailConfirmation(ctx, didA); err != nil {
		t.Fatal(err)
	}
	token := f.mailer.last(t).token
	if err := f.svc.ConfirmEmail(ctx, didA, "other@example.com", token); !errors.Is(err, account.ErrEmailMismatch) {
		t.Errorf("other email = %v, want ErrEmailMismatch", err)
	}
	if err := f.svc.ConfirmEmail(ctx, didA, acct.Email, "AAAAA-AAAAA"); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("wrong token = %v", err)
	}
	if err := f.svc.ConfirmEmail(ctx, didC, acct.Email, token); !errors.Is(err, account.ErrAccountNotFound) {
		t.Errorf("unknown account = %v", err)
	}
	if err := f.svc.ConfirmEmail(ctx, didA, " "+toUpper(acct.Email), token); err != nil {
		t.Fatalf("ConfirmEmail: %v", err)
	}
	acct, _ = f.st.GetAccount(ctx, didA)
	if acct.EmailConfirmedAt == nil || !acct.EmailConfirmedAt.Equal(f.now) {
		t.Errorf("EmailConfirmedAt = %v, want %v", acct.EmailConfirmedAt, f.now)
	}
	if err := f.svc.ConfirmEmail(ctx, didA, acct.Email, token); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("token reused = %v", err)
	}
}

func toUpper(s string) string { return string(bytes.ToUpper([]byte(s))) }

func testTokenUpdateEmail(t *testing.T, f *tokenFixture) {
	ctx := context.Background()
	f.addAccount(t, didB, "bob.test", "bob@example.com")
	other, _ := f.st.GetAccount(ctx, didB)
	// Unconfirmed: no token needed, none sent.
	if required, err := f.svc.RequestEmailUpdate(ctx, didA); err != nil || required {
		t.Fatalf("RequestEmailUpdate unconfirmed = %v, %v", required, err)
	}
	if len(f.mailer.sent) != 0 {
		t.Fatalf("a token was sent for an unconfirmed address")
	}
	first := "first@example.com"
	if err := f.svc.UpdateEmail(ctx, didA, first, ""); err != nil {
		t.Fatalf("UpdateEmail unconfirmed: %v", err)
	}
	if err := f.svc.UpdateEmail(ctx, didA, "not an email", ""); !errors.Is(err, account.ErrInvalidEmail) {
		t.Errorf("bad email = %v", err)
	}
	if err := f.svc.UpdateEmail(ctx, didA, other.Email, ""); !errors.Is(err, account.ErrEmailTaken) {
		t.Errorf("taken email = %v, want ErrEmailTaken", err)
	}
	// Confirmed: the token sent to the current address is required.
	if err := f.st.ConfirmEmail(ctx, didA, f.now); err != nil {
		t.Fatal(err)
	}
	plc, _ := f.svc.Create(ctx, store.TokenPLCOperation, didA)
	required, err := f.svc.RequestEmailUpdate(ctx, didA)
	if err != nil || !required {
		t.Fatalf("RequestEmailUpdate confirmed = %v, %v", required, err)
	}
	sent := f.mailer.last(t)
	if sent.to != first || sent.purpose != store.TokenUpdateEmail {
		t.Fatalf("sent %+v", sent)
	}
	second := "Second@Example.com"
	if err := f.svc.UpdateEmail(ctx, didA, second, ""); !errors.Is(err, account.ErrTokenRequired) {
		t.Errorf("no token = %v, want ErrTokenRequired", err)
	}
	if err := f.svc.UpdateEmail(ctx, didA, second, "AAAAA-AAAAA"); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("wrong token = %v", err)
	}
	if err := f.svc.UpdateEmail(ctx, didA, second, sent.token); err != nil {
		t.Fatalf("UpdateEmail with token: %v", err)
	}
	acct, _ := f.st.GetAccount(ctx, didA)
	if acct.Email != toLower(second) || acct.EmailConfirmedAt != nil {
		t.Errorf("account email %q confirmed %v", acct.Email, acct.EmailConfirmedAt)
	}
	if err := f.svc.Check(ctx, store.TokenPLCOperation, didA, plc); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("tokens sent to the old address still work: %v", err)
	}
}

func testTokenResetPassword(t *testing.T, f *tokenFixture) {
	ctx := context.Background()
	acct, _ := f.st.GetAccount(ctx, didA)
	if err := f.svc.RequestPasswordReset(ctx, "  "+toUpper(acct.Email)); err != nil {
		t.Fatal(err)
	}
	sent := f.mailer.last(t)
	if sent.to != acct.Email || sent.purpose != store.TokenResetPassword {
		t.Fatalf("sent %+v", sent)
	}
	if _, err := f.svc.ResetPassword(ctx, sent.token, ""); !errors.Is(err, auth.ErrPasswordEmpty) {
		t.Errorf("empty password = %v", err)
	}
	if _, err := f.svc.ResetPassword(ctx, "AAAAA-AAAAA", "new password"); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("wrong token = %v", err)
	}
	f.now = f.now.Add(account.TokenTTL + time.Second)
	if _, err := f.svc.ResetPassword(ctx, sent.token, "new password"); !errors.Is(err, account.ErrTokenExpired) {
		t.Errorf("expired token = %v", err)
	}
	f.now = f.now.Add(-account.TokenTTL)
	did, err := f.svc.ResetPassword(ctx, sent.token, "new password")
	if err != nil || did != didA {
		t.Fatalf("ResetPassword = %q, %v", did, err)
	}
	acct, _ = f.st.GetAccount(ctx, didA)
	if ok, _ := auth.VerifyPassword(ctx, "new password", acct.PasswordHash); !ok {
		t.Error("the new password does not verify")
	}
	if len(f.revoker.revoked) != 1 || f.revoker.revoked[0] != didA {
		t.Errorf("sessions revoked for %v", f.revoker.revoked)
	}
	if _, err := f.svc.ResetPassword(ctx, sent.token, "another password"); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("token reused = %v", err)
	}
}
