package server

import (
	"context"

	"github.com/hearthpds/hearth/backend/plugin"
	"github.com/hearthpds/hearth/backend/privacy"
)

// privacyHooks adapts the plugin host to the privacy service's Hooks:
// privacy.on_access_grant_request (a plugin may refuse a grant) and
// privacy.on_key_rotation (queued). Plugins see the owner, the
// collection, the grantee and the epoch: never a key, a sealed grant or a
// record. Without a host (not open yet, or closed) grants pass.
type privacyHooks struct{ ph *pluginHooks }

var _ privacy.Hooks = privacyHooks{}

// grantEvent is ev as the plugin host takes it.
func grantEvent(ev privacy.GrantEvent) plugin.GrantEvent {
	return plugin.GrantEvent{Owner: ev.Owner, Collection: ev.Collection, Grantee: ev.Grantee, Epoch: int64(min(ev.Epoch, 1<<62))}
}

// OnAccessGrantRequest runs the plugins' grant hooks; a refusal is a
// *privacy.GrantRefusedError naming the plugin.
func (p privacyHooks) OnAccessGrantRequest(ctx context.Context, ev privacy.GrantEvent) error {
	h := p.ph.host.Load()
	if h == nil {
		return nil
	}
	d, err := h.OnAccessGrantRequest(ctx, grantEvent(ev))
	if err != nil {
		return err
	}
	if d.Verdict == plugin.Reject {
		return &privacy.GrantRefusedError{Plugin: d.Plugin, Name: d.Error, Message: d.Message}
	}
	return nil
}

// OnKeyRotation queues the plugins' rotation hooks.
func (p privacyHooks) OnKeyRotation(ctx context.Context, ev privacy.GrantEvent) {
	if h := p.ph.host.Load(); h != nil {
		h.OnKeyRotation(ctx, grantEvent(ev))
	}
}
