package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/mail"
	"github.com/hearthpds/hearth/backend/store"
)

// recorder is a Mailer that keeps what it is given.
type recorder struct{ got []mail.Message }

func (r *recorder) Send(_ context.Context, m mail.Message) error {
	r.got = append(r.got, m)
	return nil
}

func TestSenderTemplates(t *testing.T) {
	rec := &recorder{}
	from, _ := mail.ParseAddress("noreply@pds.example")
	s, err := mail.NewSender(rec, mail.SenderConfig{From: from, Service: "pds.example", Valid: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	purposes := []store.TokenPurpose{store.TokenConfirmEmail, store.TokenUpdateEmail, store.TokenResetPassword, store.TokenDeleteAccount, store.TokenPLCOperation}
	for _, p := range purposes {
		if err := s.SendToken(context.Background(), "alice@example.com", p, "ABCDE-23456"); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	subjects := map[string]bool{}
	for i, m := range rec.got {
		if m.To.Address != "alice@example.com" || m.From.Address != "noreply@pds.example" {
			t.Errorf("%s: addressed %v → %v", purposes[i], m.From, m.To)
		}
		for _, want := range []string{"ABCDE-23456", "pds.example", "15 minutes"} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("%s: body lacks %q:\n%s", purposes[i], want, m.Body)
			}
		}
		subjects[m.Subject] = true
	}
	if len(subjects) != len(purposes) {
		t.Errorf("subjects not distinct: %v", subjects)
	}
	if err := s.SendToken(context.Background(), "alice@example.com", "nope", "X"); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Errorf("unknown purpose: err = %v", err)
	}
	if err := s.SendToken(context.Background(), "alice@example.com\r\nBcc: eve@example.com", store.TokenConfirmEmail, "X"); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Errorf("injected recipient: err = %v", err)
	}
	if _, err := mail.NewSender(rec, mail.SenderConfig{}); err == nil {
		t.Error("NewSender without a from address succeeded")
	}
}
