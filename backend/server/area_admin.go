package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	netmail "net/mail"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/mail"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// adminArea holds what the operator's com.atproto.admin.* methods use
// beyond the shared services: the sender of their emails (nil without a
// mail server).
type adminArea struct {
	adminMail xrpc.AdminMailer
}

// initAdmin builds the admin email sender over the mail area's mailer.
func (s *Server) initAdmin(context.Context) error {
	if s.mailer == nil {
		return nil
	}
	from, err := mail.FromAddress(s.cfg.SMTPURL, s.cfg.PublicURL.Hostname())
	if err != nil {
		return fmt.Errorf("HEARTH_SMTP_URL: sender address: %w", err)
	}
	s.adminMail = adminMailer{m: s.mailer, from: from}
	return nil
}

// registerAdmin adds the admin methods.
func (s *Server) registerAdmin(rt *xrpc.Router, _ *http.ServeMux) {
	rt.Register((&xrpc.AdminHandlers{
		Store: s.store, Accounts: adminAccounts{s}, Mailer: s.adminMail, Log: s.log,
	}).Methods()...)
}

// adminMailer sends the operator's messages through the mail server.
type adminMailer struct {
	m    mail.Mailer
	from netmail.Address
}

// SendAdminEmail sends a plain-text message to the address.
func (a adminMailer) SendAdminEmail(ctx context.Context, to, subject, content string) error {
	addr, err := mail.ParseAddress(to)
	if err != nil {
		return err
	}
	return a.m.Send(ctx, mail.Message{From: a.from, To: addr, Subject: subject, Body: content})
}

// adminAccounts carries out the operator's account changes.
type adminAccounts struct{ s *Server }

var _ xrpc.AccountAdmin = adminAccounts{}

// UpdateHandle changes the handle as the account itself would
// (com.atproto.identity.updateHandle's rules and effects).
func (a adminAccounts) UpdateHandle(ctx context.Context, did, handle string) error {
	_, err := a.s.lifecycle.UpdateHandle(ctx, did, handle)
	return err
}

// UpdatePassword sets a new password and ends the account's sessions.
func (a adminAccounts) UpdatePassword(ctx context.Context, did, password string) error {
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		return err
	}
	if err := a.s.store.UpdatePassword(ctx, did, hash); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return account.ErrAccountNotFound
		}
		return fmt.Errorf("update password of %s: %w", did, err)
	}
	if _, err := a.s.store.DeleteAccountRefreshTokens(ctx, did); err != nil {
		return fmt.Errorf("end sessions of %s: %w", did, err)
	}
	a.s.log.Info("admin: password updated, sessions ended", "did", did)
	return nil
}

// DeleteAccount removes the account with its repo through the lifecycle
// service (which emits #account with status deleted, drops every cache of
// the account and runs the deletion hooks, e.g. freeing blob files); the DID
// itself is left as it is.
func (a adminAccounts) DeleteAccount(ctx context.Context, did string) error {
	if err := a.s.lifecycle.Remove(ctx, did); err != nil {
		return err
	}
	a.s.log.Info("admin: account deleted", "did", did)
	return nil
}
