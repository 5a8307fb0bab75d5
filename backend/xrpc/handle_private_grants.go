package xrpc

import (
	"context"
	"net/http"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/privacy/remote"
	"github.com/hearthpds/hearth/backend/scopes"
)

// privManager returns the calling account for a method that decides who
// can read its private data or how it is recovered (grants, rotations,
// re-encryption, the key backup): the account's own session opened with
// its password, or an OAuth token with account:*?action=manage. Never a
// service, the admin, an app password or a controller acting as the
// account.
func privManager(c *Call) (string, error) {
	const insufficient = "InsufficientScope"
	v := c.Viewer
	switch {
	case v == nil:
		return "", authRequired("Authentication Required")
	case v.Service || v.Admin:
		return "", Errorf(http.StatusForbidden, insufficient, "private-record keys are managed with the account's own session, not service or admin credentials")
	case v.Actor != "":
		return "", Errorf(http.StatusForbidden, insufficient, "a controller acting as the account never reaches its private records")
	case v.OAuth:
		set, _, err := scopes.Parse(v.Scope)
		if err != nil || !set.ManagesAccount() {
			return "", Errorf(http.StatusForbidden, insufficient, "managing private-record keys needs the scope account:*?action=manage")
		}
	case v.AppPasswordName != "" || v.Scope != string(auth.ScopeAccess):
		return "", Errorf(http.StatusForbidden, insufficient, "managing private-record keys needs a session opened with the account password, not an app password")
	}
	return v.DID, nil
}

// privBytes decodes a required base64url field.
func privBytes(name, s string) ([]byte, error) {
	if s == "" {
		return nil, invalidRequest(`Input must have the property "%s"`, name)
	}
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, invalidRequest("%s must be base64url without padding", name)
	}
	return b, nil
}

// grantAccess stores the epoch keys the owner's client sealed to a
// grantee, after the plugins' privacy.on_access_grant_request (a refusal
// is a 400 naming the plugin) and a check of the grantee's published key.
func (h *PrivateHandlers) grantAccess(ctx context.Context, c *Call) (any, error) {
	owner, err := privManager(c)
	if err != nil {
		return nil, err
	}
	var in remote.GrantAccessInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkPrivNSID("collection", in.Collection); err != nil {
		return nil, err
	}
	req := privacy.SealedGrants{Collection: in.Collection, Grantee: in.Grantee, GranteeKeyID: in.GranteeKeyID}
	if in.Grantee == "" || in.GranteeKeyID == "" || len(in.Grants) == 0 {
		return nil, invalidRequest("grantee, granteeKeyId and grants are required")
	}
	for _, g := range in.Grants {
		b, err := privBytes("grants[].sealed", g.Sealed)
		if err != nil {
			return nil, err
		}
		req.Grants = append(req.Grants, crypt.SealedGrant{Epoch: g.Epoch, Sealed: b})
	}
	gs, err := h.Privacy.GrantSealed(ctx, owner, req)
	if err != nil {
		return nil, privateError(err)
	}
	out := make([]privGrantView, len(gs))
	for i, g := range gs {
		out[i] = privGrantViewOf(g)
	}
	return map[string]any{"grants": out}, nil
}

// revokeAccess starts a new epoch the owner's client sealed to the owner
// and the remaining grantees, revoking one grantee, atomically.
func (h *PrivateHandlers) revokeAccess(ctx context.Context, c *Call) (any, error) {
	return h.newEpoch(ctx, c, true)
}

// rotateKey starts a new epoch without revoking anyone (epoch 1 creates
// the collection).
func (h *PrivateHandlers) rotateKey(ctx context.Context, c *Call) (any, error) {
	return h.newEpoch(ctx, c, false)
}

// newEpoch is revokeAccess (revoke) and rotateKey.
func (h *PrivateHandlers) newEpoch(ctx context.Context, c *Call, revoke bool) (any, error) {
	owner, err := privManager(c)
	if err != nil {
		return nil, err
	}
	var in remote.NewEpochInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkPrivNSID("collection", in.Collection); err != nil {
		return nil, err
	}
	switch {
	case revoke && in.Grantee == "":
		return nil, invalidRequest(`Input must have the property "grantee"`)
	case !revoke && in.Grantee != "":
		return nil, invalidRequest("rotateKey revokes no one: use revokeAccess")
	case in.Epoch == 0 || len(in.Grants) == 0:
		return nil, invalidRequest("epoch and grants are required")
	}
	ne := privacy.NewEpoch{Collection: in.Collection, Epoch: in.Epoch, Revoke: in.Grantee, Reencrypt: in.Reencrypt}
	for _, g := range in.Grants {
		b, err := privBytes("grants[].sealed", g.Sealed)
		if err != nil {
			return nil, err
		}
		ne.Grants = append(ne.Grants, privacy.EpochGrant{Grantee: g.Grantee, GranteeKeyID: g.GranteeKeyID, Sealed: b})
	}
	res, err := h.Privacy.StartEpoch(ctx, owner, ne)
	if err != nil {
		return nil, privateError(err)
	}
	return remote.NewEpochOutput{Epoch: res.Epoch, Resealed: res.Resealed, Revoked: res.Revoked, Pending: res.Pending}, nil
}

// reencryptRecords replaces a batch of older envelopes with the owner's
// client's re-sealed ones, atomically.
func (h *PrivateHandlers) reencryptRecords(ctx context.Context, c *Call) (any, error) {
	owner, err := privManager(c)
	if err != nil {
		return nil, err
	}
	var in remote.ReencryptInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkPrivNSID("collection", in.Collection); err != nil {
		return nil, err
	}
	if len(in.Records) > privacy.MaxReencryptBatch {
		return nil, invalidRequest("at most %d records per batch", privacy.MaxReencryptBatch)
	}
	rs := make([]privacy.Reencrypted, len(in.Records))
	for i, r := range in.Records {
		mac, err := privMAC("records[].rkeyMac", r.RKeyMAC)
		if err != nil {
			return nil, err
		}
		env, err := privBytes("records[].envelope", r.Envelope)
		if err != nil {
			return nil, err
		}
		rs[i] = privacy.Reencrypted{RKeyMAC: mac, PrevEpoch: r.PrevEpoch, Envelope: env}
	}
	res, err := h.Privacy.Reencrypt(ctx, owner, in.Collection, rs)
	if err != nil {
		return nil, privateError(err)
	}
	return remote.ReencryptOutput{Reencrypted: res.Reencrypted, Pending: res.Pending}, nil
}
