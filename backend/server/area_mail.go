package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/mail"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// mailArea holds the email services: the mailer (when HEARTH_SMTP_URL is
// set) and the account-token service that the email and lifecycle methods
// share. accountTokens is never nil: without a mailer it answers
// ErrMailNotConfigured wherever a token would be emailed.
type mailArea struct {
	mailer        mail.Mailer // nil without HEARTH_SMTP_URL
	accountTokens *account.TokenService
}

// initMail builds the mailer and the account-token service.
func (s *Server) initMail(context.Context) error {
	cfg := account.TokenServiceConfig{Store: s.store, Sealer: s.sealer, Sessions: sessionRevoker{s.store}, Cooldown: account.TokenCooldown, Logger: s.log}
	if s.cfg.SMTPURL == nil {
		s.log.Info("no mail server (HEARTH_SMTP_URL is not set): email confirmation, password reset and other emailed tokens are unavailable")
	} else {
		sender, err := s.newTokenSender()
		if err != nil {
			return err
		}
		cfg.Mailer = sender
	}
	s.accountTokens = account.NewTokenService(cfg)
	return nil
}

// newTokenSender builds the SMTP mailer from HEARTH_SMTP_URL and the token
// emails' sender over it.
func (s *Server) newTokenSender() (*mail.Sender, error) {
	host := s.cfg.PublicURL.Hostname()
	m, err := mail.NewSMTP(s.cfg.SMTPURL, mail.SMTPOptions{LocalName: host})
	if err != nil {
		return nil, fmt.Errorf("HEARTH_SMTP_URL: %w", err)
	}
	s.mailer = m
	from, err := mail.FromAddress(s.cfg.SMTPURL, host)
	if err != nil {
		return nil, fmt.Errorf("HEARTH_SMTP_URL: sender address: %w", err)
	}
	sender, err := mail.NewSender(m, mail.SenderConfig{From: from, Service: host, Valid: account.TokenTTL})
	if err != nil {
		return nil, fmt.Errorf("HEARTH_SMTP_URL: %w", err)
	}
	return sender, nil
}

// registerMail adds the email methods.
func (s *Server) registerMail(rt *xrpc.Router, _ *http.ServeMux) {
	rt.Register((&xrpc.EmailHandlers{Tokens: s.accountTokens}).Methods()...)
}

// sessionRevoker ends an account's sessions by deleting its refresh tokens
// (access tokens are stateless and run out within their short lifetime).
type sessionRevoker struct{ st store.Store }

func (r sessionRevoker) RevokeSessions(ctx context.Context, did string) error {
	_, err := r.st.DeleteAccountRefreshTokens(ctx, did)
	return err
}
