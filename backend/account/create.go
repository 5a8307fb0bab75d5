package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/store"
)

// CreateInput is a sign-up request.
type CreateInput struct {
	Handle     string
	Email      string // optional
	Password   string
	InviteCode string
	// DID, when set, is an existing DID the account brings from another
	// PDS (migration): the caller has checked a service-auth token of that
	// DID. The account starts deactivated with an empty repo (migrate.go).
	DID string
	// Owner marks the desktop's owner creating their own account
	// in-process: the invite and closed-registration checks do not apply.
	Owner bool
}

// Created is a new account with its first session.
type Created struct {
	Account store.Account
	Session auth.Session
}

// Create signs up a new account: it checks the handle, email, password and
// invite code, generates the signing and rotation keys, registers the
// did:plc genesis operation with the PLC directory, and lands the account,
// the invite use, the repo's first commit and the #identity and #account
// events in one transaction.
func (s *Service) Create(ctx context.Context, in CreateInput) (*Created, error) {
	if s.cfg.SignupClosed && !in.Owner {
		return nil, ErrSignupClosed
	}
	if in.DID != "" {
		return s.createWithDID(ctx, in)
	}
	handle, email, err := s.checkCreate(ctx, in)
	if err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	signing, rotation, err := newKeys()
	if err != nil {
		return nil, err
	}
	did, pending, err := s.registerDID(ctx, handle, signing, rotation)
	if err != nil {
		return nil, err
	}
	acct, err := s.sealAccount(did, handle, email, hash, signing, rotation)
	if err != nil {
		return nil, err
	}
	acct.InviteCode = in.InviteCode
	if err := s.land(ctx, acct, in.InviteCode, signing, pending); err != nil {
		return nil, err
	}
	sess, err := s.cfg.Tokens.IssueSession(ctx, did, nil)
	if err != nil {
		return nil, fmt.Errorf("first session of %s: %w", did, err)
	}
	s.log.Info("account created", "did", did, "handle", handle)
	return &Created{Account: acct, Session: sess}, nil
}

// checkCreate validates the request and checks availability before any key
// or DID is made.
func (s *Service) checkCreate(ctx context.Context, in CreateInput) (handle, email string, err error) {
	h, err := identity.ValidateHandle(in.Handle, s.cfg.HandleDomains)
	if err != nil {
		return "", "", err
	}
	return s.checkSignUp(ctx, h.String(), in)
}

// checkSignUp checks what every sign-up shares once the handle is known:
// password, email, invite code, and that handle and email are free. It
// returns the handle and the normalised email.
func (s *Service) checkSignUp(ctx context.Context, handle string, in CreateInput) (string, string, error) {
	if err := auth.ValidatePassword(in.Password); err != nil {
		return "", "", err
	}
	email, err := normalizeEmail(in.Email)
	if err != nil {
		return "", "", err
	}
	if s.cfg.InviteRequired && in.InviteCode == "" && !in.Owner {
		return "", "", ErrInviteRequired
	}
	if err := s.checkAvailable(ctx, handle, email); err != nil {
		return "", "", err
	}
	return handle, email, s.checkInvite(ctx, in.InviteCode)
}

func normalizeEmail(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	addr, err := mail.ParseAddress(raw)
	if err != nil || addr.Address != raw || !strings.Contains(raw, "@") {
		return "", fmt.Errorf("%w: %q", ErrInvalidEmail, raw)
	}
	return strings.ToLower(raw), nil
}

func (s *Service) checkAvailable(ctx context.Context, handle, email string) error {
	if _, err := s.cfg.Store.GetAccountByHandle(ctx, handle); err == nil {
		return fmt.Errorf("%w: %s", ErrHandleTaken, handle)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if email == "" {
		return nil
	}
	if _, err := s.cfg.Store.GetAccountByEmail(ctx, email); err == nil {
		return ErrEmailTaken
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

func (s *Service) checkInvite(ctx context.Context, code string) error {
	if code == "" {
		return nil
	}
	inv, err := s.cfg.Store.GetInviteCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (inv.Disabled || len(inv.Uses) >= inv.AvailableUses)) {
		return store.ErrInviteUnavailable
	}
	return err
}

func newKeys() (signing, rotation *atcrypto.PrivateKeyK256, err error) {
	if signing, err = keys.GenerateSigningKey(); err != nil {
		return nil, nil, err
	}
	if rotation, err = keys.GenerateSigningKey(); err != nil {
		return nil, nil, err
	}
	return signing, rotation, nil
}

// registerDID builds and signs the genesis operation. It submits it to the
// PLC directory, or, in LocalFirst mode, returns it (JSON) to be kept with
// the account until SubmitPendingPLC.
func (s *Service) registerDID(ctx context.Context, handle string, signing, rotation atcrypto.PrivateKey) (did string, pending []byte, err error) {
	sigPub, err := signing.PublicKey()
	if err != nil {
		return "", nil, err
	}
	rotPub, err := rotation.PublicKey()
	if err != nil {
		return "", nil, err
	}
	id, op, err := identity.NewGenesis(identity.GenesisParams{
		SigningKey:   sigPub,
		RotationKeys: []string{rotPub.DIDKey()},
		Signer:       rotation,
		Handle:       syntax.Handle(handle),
		PDSEndpoint:  s.cfg.PublicURL,
	})
	if err != nil {
		return "", nil, fmt.Errorf("genesis operation for %s: %w", handle, err)
	}
	if s.cfg.LocalFirst {
		pending, err := json.Marshal(op)
		if err != nil {
			return "", nil, fmt.Errorf("genesis operation for %s: %w", handle, err)
		}
		return id.String(), pending, nil
	}
	if err := s.cfg.PLC.Submit(ctx, id, op); err != nil {
		return "", nil, fmt.Errorf("register did:plc for %s: %w", handle, err)
	}
	return id.String(), nil, nil
}

func (s *Service) sealAccount(did, handle, email, hash string, signing, rotation atcrypto.PrivateKey) (store.Account, error) {
	sealedSig, err := keys.SealPrivateKey(s.cfg.Sealer, signing, signingKeyAD(did))
	if err != nil {
		return store.Account{}, err
	}
	sealedRot, err := keys.SealPrivateKey(s.cfg.Sealer, rotation, rotationKeyAD(did))
	if err != nil {
		return store.Account{}, err
	}
	return store.Account{
		DID: did, Handle: handle, Email: email, PasswordHash: hash,
		SigningKey: sealedSig, RotationKey: sealedRot,
		Status: store.StatusActive, CreatedAt: s.now().UTC(),
	}, nil
}

// land stores the account with its genesis commit and events atomically.
func (s *Service) land(ctx context.Context, acct store.Account, invite string, signing atcrypto.PrivateKey, pendingPLC []byte) error {
	genesis, err := s.cfg.Engine.Genesis(ctx, acct.DID, signing)
	if err != nil {
		return err
	}
	now := s.now()
	events := []store.Event{firehose.IdentityEvent(acct.DID, acct.Handle, now), firehose.AccountEvent(acct.DID, store.StatusActive, now)}
	_, err = s.cfg.Store.CreateAccount(ctx, store.NewAccount{
		Account: acct, InviteCode: invite, Genesis: genesis, Events: events, PendingPLCOp: pendingPLC,
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("%w: %s", ErrHandleTaken, acct.Handle)
	case err != nil:
		return fmt.Errorf("store account %s: %w", acct.DID, err)
	}
	return nil
}
