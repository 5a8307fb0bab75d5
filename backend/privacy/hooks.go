package privacy

import (
	"context"
	"errors"
	"fmt"
)

// GrantEvent is what the privacy hooks see of a grant or a rotation: who,
// which collection, which epoch. Never a key, a sealed grant or a record.
type GrantEvent struct {
	Owner      string
	Collection string
	// Grantee is the account being granted (OnAccessGrantRequest), or the
	// one revoked by the rotation ("" for a rotation that revokes no one).
	Grantee string
	// Epoch is the collection's current epoch when a grant is asked for (1
	// when the grant creates the collection), or the new epoch of a
	// rotation.
	Epoch uint64
	// Reason is the rotation's reason (store.RotationRevoke or
	// store.RotationRotate); "" for a grant request.
	Reason string
}

// Hooks are the plugin hooks of private records (privacy.on_access_grant_request
// and privacy.on_key_rotation); the server sets them from its plugin host.
type Hooks interface {
	// OnAccessGrantRequest runs before a grant is stored; an error refuses
	// it (a *GrantRefusedError for a plugin's refusal).
	OnAccessGrantRequest(ctx context.Context, ev GrantEvent) error
	// OnKeyRotation is told of a new epoch after it is stored (queued: it
	// never fails nor delays the rotation).
	OnKeyRotation(ctx context.Context, ev GrantEvent)
}

// ErrGrantRefused: a plugin refused a grant (errors.Is matches every
// *GrantRefusedError).
var ErrGrantRefused = errors.New("privacy: a plugin refused the grant")

// GrantRefusedError is a plugin's refusal of a grant.
type GrantRefusedError struct {
	Plugin  string // the plugin's id
	Name    string // the XRPC error name it chose ("" for none)
	Message string
}

// Error names the plugin.
func (e *GrantRefusedError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "the grant was refused"
	}
	return fmt.Sprintf("%s (plugin %s)", msg, e.Plugin)
}

// Is matches ErrGrantRefused.
func (e *GrantRefusedError) Is(target error) bool { return target == ErrGrantRefused }

// askGrant runs the grant hook, if any.
func (s *Service) askGrant(ctx context.Context, ev GrantEvent) error {
	if s.hooks == nil {
		return nil
	}
	if err := s.hooks.OnAccessGrantRequest(ctx, ev); err != nil {
		return fmt.Errorf("privacy: grant of %s to %s: %w", ev.Collection, ev.Grantee, err)
	}
	return nil
}

// notifyRotation queues the rotation hook, if any.
func (s *Service) notifyRotation(ctx context.Context, ev GrantEvent) {
	if s.hooks != nil {
		s.hooks.OnKeyRotation(ctx, ev)
	}
}
