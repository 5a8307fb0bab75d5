package mail

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"net/mail"
	"text/template"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

//go:embed templates/*.txt
var templateFS embed.FS

// templates are the message bodies, one per token purpose, named after it.
var templates = template.Must(template.New("").Option("missingkey=error").ParseFS(templateFS, "templates/*.txt"))

// subjects are the message subjects per purpose, as the reference PDS's.
var subjects = map[store.TokenPurpose]string{
	store.TokenConfirmEmail:  "Email Confirmation",
	store.TokenUpdateEmail:   "Email Update Requested",
	store.TokenResetPassword: "Password Reset Requested",
	store.TokenDeleteAccount: "Account Deletion Requested",
	store.TokenPLCOperation:  "PLC Update Operation Requested",
}

// Sender writes and sends the token emails. It is safe for concurrent use.
type Sender struct {
	mailer  Mailer
	from    mail.Address
	service string
	valid   time.Duration
}

// SenderConfig configures a Sender.
type SenderConfig struct {
	// From is the sender address.
	From mail.Address
	// Service names the server in the messages (its public host).
	Service string
	// Valid is how long a token stays valid, stated in the messages.
	Valid time.Duration
}

// NewSender returns a Sender that sends through m.
func NewSender(m Mailer, cfg SenderConfig) (*Sender, error) {
	if !validAddress(cfg.From.Address) {
		return nil, fmt.Errorf("%w: sender address %q", ErrInvalidMessage, cfg.From.Address)
	}
	return &Sender{mailer: m, from: cfg.From, service: cfg.Service, valid: cfg.Valid}, nil
}

// SendToken emails token to the address to, with the text for purpose.
func (s *Sender) SendToken(ctx context.Context, to string, purpose store.TokenPurpose, token string) error {
	m, err := s.TokenMessage(to, purpose, token)
	if err != nil {
		return err
	}
	return s.mailer.Send(ctx, m)
}

// TokenMessage builds the message SendToken sends.
func (s *Sender) TokenMessage(to string, purpose store.TokenPurpose, token string) (Message, error) {
	subject, ok := subjects[purpose]
	if !ok {
		return Message{}, fmt.Errorf("%w: no template for token purpose %q", ErrInvalidMessage, purpose)
	}
	if !validAddress(to) {
		return Message{}, fmt.Errorf("%w: recipient %q", ErrInvalidMessage, to)
	}
	var body bytes.Buffer
	data := struct{ Service, Token, Valid string }{s.service, token, validFor(s.valid)}
	if err := templates.ExecuteTemplate(&body, string(purpose)+".txt", data); err != nil {
		return Message{}, fmt.Errorf("mail: template %s: %w", purpose, err)
	}
	return Message{From: s.from, To: mail.Address{Address: to}, Subject: subject, Body: body.String()}, nil
}

// validFor says a duration in words ("15 minutes").
func validFor(d time.Duration) string {
	switch {
	case d <= 0:
		return "a short time"
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	default:
		return plural(int((d+time.Minute-1)/time.Minute), "minute")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
