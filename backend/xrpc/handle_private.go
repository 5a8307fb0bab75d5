package xrpc

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"math"
	"net/http"

	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/scopes"
	"github.com/hearthpds/hearth/backend/store"
)

// PrivateNSIDPrefix is the namespace of the private-record methods.
const PrivateNSIDPrefix = "dev.hearthpds.private."

// PrivateHandlers serves dev.hearthpds.private.*: opaque envelopes and
// encrypted blobs the owner's client sealed, and the sealed grants their
// readers open. The server never sees a key or a plaintext (docs/private-records.md).
//
// Who may call: the owner with its own session (a password session, an app
// password or an OAuth token; writes need repo:<collection> for their
// action, blob uploads blob:application/octet-stream); a grantee's PDS with a service-auth JWT
// (aud this PDS, lxm the method, single-use jti) for the read methods. A
// controller acting as the account never: delegation never reaches private
// data (the permission table refuses act-as tokens).
type PrivateHandlers struct {
	Privacy *privacy.Service
	// Limit is the largest encrypted blob accepted, in bytes.
	Limit int64
	Log   *slog.Logger
}

// privateNeed is the permission-table entry of a private method: the
// handler checks the rest; never a controller acting as the account.
func privateNeed(detail string) Need {
	return Need{kind: needHandler, noActor: true, detail: detail}
}

// Methods returns the methods to register: dev.hearthpds.private.* and
// dev.hearthpds.crypto.* (handle_crypto.go).
func (h *PrivateHandlers) Methods() []Method {
	ns := PrivateNSIDPrefix
	return append([]Method{
		{NSID: ns + "putRecord", Kind: Procedure, Auth: AccessAuth, Handler: h.putRecord},
		{NSID: ns + "deleteRecord", Kind: Procedure, Auth: AccessAuth, Handler: h.deleteRecord},
		{NSID: ns + "getEncryptedRecord", Kind: Query, Auth: AccessOrServiceAuth, Handler: h.getRecord},
		{NSID: ns + "listEncryptedRecords", Kind: Query, Auth: AccessOrServiceAuth, Handler: h.listRecords},
		{NSID: ns + "listCollections", Kind: Query, Auth: AccessAuth, Handler: h.listCollections},
		{NSID: ns + "uploadBlob", Kind: Procedure, Auth: AccessAuth, Raw: h.uploadBlob},
		{NSID: ns + "getBlob", Kind: Query, Auth: AccessOrServiceAuth, Raw: h.getBlob},
		{NSID: ns + "getGrantKeys", Kind: Query, Auth: AccessOrServiceAuth, Handler: h.getGrantKeys},
		{NSID: ns + "listGrants", Kind: Query, Auth: AccessAuth, Handler: h.listGrants},
		{NSID: ns + "listRotations", Kind: Query, Auth: AccessAuth, Handler: h.listRotations},
		{NSID: ns + "grantAccess", Kind: Procedure, Auth: AccessAuth, Handler: h.grantAccess},
		{NSID: ns + "revokeAccess", Kind: Procedure, Auth: AccessAuth, Handler: h.revokeAccess},
		{NSID: ns + "rotateKey", Kind: Procedure, Auth: AccessAuth, Handler: h.rotateKey},
		{NSID: ns + "reencryptRecords", Kind: Procedure, Auth: AccessAuth, Handler: h.reencryptRecords},
	}, h.cryptoMethods()...)
}

// b64 is the encoding of binary fields and parameters: base64url without
// padding (safe in query strings).
var b64 = base64.RawURLEncoding

// privOwner returns the calling account for an owner-only method: a user
// session, never a service or the admin.
func privOwner(c *Call) (string, error) {
	v := c.Viewer
	if v == nil {
		return "", authRequired("Authentication Required")
	}
	if v.Service || v.Admin {
		return "", forbidden("only the account itself may call this method")
	}
	return v.DID, nil
}

// privRequester returns who reads: the session's account, or the issuer of a
// service-auth JWT (a grantee's PDS acting for the grantee).
func privRequester(c *Call) (string, error) {
	v := c.Viewer
	if v == nil || v.Admin {
		return "", authRequired("Authentication Required")
	}
	return v.DID, nil
}

// privReadTarget reads what every grantee-readable method starts with: the
// requester (the session's or the service-auth JWT's DID), the owner (repo)
// and the collection.
func privReadTarget(c *Call) (who, owner, collection string, err error) {
	if who, err = privRequester(c); err != nil {
		return "", "", "", err
	}
	if owner, err = c.DID("repo", true); err != nil {
		return "", "", "", err
	}
	if collection, err = c.NSID("collection", true); err != nil {
		return "", "", "", err
	}
	return who, owner, collection, nil
}

// privateError maps the privacy package's errors to XRPC errors. The
// messages name no key material (the package's errors never carry any).
func privateError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, privacy.ErrForbidden):
		return forbidden("not granted")
	case errors.Is(err, privacy.ErrGrantRefused):
		return grantRefused(err)
	case errors.Is(err, privacy.ErrNoIdentity):
		return Errorf(http.StatusNotFound, "NoIdentity", "%s", err.Error())
	case errors.Is(err, privacy.ErrNoBackup):
		return Errorf(http.StatusNotFound, "NoBackup", "%s", err.Error())
	case errors.Is(err, store.ErrNotFound):
		return Errorf(http.StatusNotFound, "NotFound", "not found")
	case errors.Is(err, privacy.ErrStaleEpoch):
		return Errorf(http.StatusConflict, "StaleEpoch", "%s", err.Error())
	case errors.Is(err, privacy.ErrKeyChanged):
		return Errorf(http.StatusConflict, "KeyChanged", "%s", err.Error())
	case errors.Is(err, privacy.ErrGrantSet):
		return Errorf(http.StatusConflict, "GrantSetMismatch", "%s", err.Error())
	case errors.Is(err, store.ErrConflict):
		return Errorf(http.StatusConflict, "Conflict", "%s", err.Error())
	case errors.Is(err, privacy.ErrInvalid):
		return invalidRequest("%s", err.Error())
	case errors.Is(err, privacy.ErrNoBlobStore):
		return Errorf(http.StatusNotImplemented, "MethodNotImplemented", "private blobs are not configured on this server")
	}
	return err
}

// grantRefused is a plugin's refusal of a grant: a 400 with the error name
// the plugin chose (GrantRefused when none) and a message naming it.
func grantRefused(err error) error {
	var rej *privacy.GrantRefusedError
	if !errors.As(err, &rej) {
		return Errorf(http.StatusBadRequest, "GrantRefused", "%s", err.Error())
	}
	name := rej.Name
	if name == "" {
		name = "GrantRefused"
	}
	return Errorf(http.StatusBadRequest, name, "%s", rej.Error())
}

// privMAC decodes a base64url rkey MAC (32 bytes) named name.
func privMAC(name, s string) ([]byte, error) {
	if s == "" {
		return nil, invalidRequest("%s is required", name)
	}
	b, err := b64.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil, invalidRequest("%s must be 32 bytes in base64url without padding", name)
	}
	return b, nil
}

type privPutIn struct {
	Collection string `json:"collection"`
	RKeyMAC    string `json:"rkeyMac"`
	Envelope   string `json:"envelope"`
}

// privRecordView is an envelope as the methods return it.
type privRecordView struct {
	Collection string `json:"collection"`
	RKeyMAC    string `json:"rkeyMac"`
	Epoch      uint64 `json:"epoch"`
	CID        string `json:"cid"`
	Rev        string `json:"rev"`
	Envelope   string `json:"envelope,omitempty"`
}

// privViewOf is the view of r, with its envelope when withEnvelope.
func privViewOf(r store.PrivateRecord, withEnvelope bool) privRecordView {
	v := privRecordView{Collection: r.Collection, RKeyMAC: b64.EncodeToString(r.RKeyMAC), Epoch: r.Epoch, CID: r.CID.String(), Rev: r.Rev}
	if withEnvelope {
		v.Envelope = b64.EncodeToString(r.Envelope)
	}
	return v
}

func (h *PrivateHandlers) putRecord(ctx context.Context, c *Call) (any, error) {
	owner, err := privOwner(c)
	if err != nil {
		return nil, err
	}
	var in privPutIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkPrivNSID("collection", in.Collection); err != nil {
		return nil, err
	}
	mac, err := privMAC("rkeyMac", in.RKeyMAC)
	if err != nil {
		return nil, err
	}
	env, err := b64.DecodeString(in.Envelope)
	if err != nil || len(env) == 0 {
		return nil, invalidRequest("envelope must be base64url without padding")
	}
	if _, err := crypt.EnvelopeEpoch(env); err != nil {
		return nil, invalidRequest("envelope is not a version-1 envelope")
	}
	if err := c.RequireRepo(in.Collection, scopes.ActionCreate); err != nil {
		return nil, err
	}
	if err := c.RequireRepo(in.Collection, scopes.ActionUpdate); err != nil {
		return nil, err
	}
	r, err := h.Privacy.PutEnvelope(ctx, owner, in.Collection, mac, env)
	if err != nil {
		return nil, privateError(err)
	}
	return privViewOf(r, false), nil
}

type privDeleteIn struct {
	Collection string `json:"collection"`
	RKeyMAC    string `json:"rkeyMac"`
}

func (h *PrivateHandlers) deleteRecord(ctx context.Context, c *Call) (any, error) {
	owner, err := privOwner(c)
	if err != nil {
		return nil, err
	}
	var in privDeleteIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkPrivNSID("collection", in.Collection); err != nil {
		return nil, err
	}
	mac, err := privMAC("rkeyMac", in.RKeyMAC)
	if err != nil {
		return nil, err
	}
	if err := c.RequireRepo(in.Collection, scopes.ActionDelete); err != nil {
		return nil, err
	}
	if err := h.Privacy.DeleteEnvelope(ctx, owner, in.Collection, mac); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, privateError(err)
	}
	return struct{}{}, nil
}

func (h *PrivateHandlers) getRecord(ctx context.Context, c *Call) (any, error) {
	who, owner, collection, err := privReadTarget(c)
	if err != nil {
		return nil, err
	}
	mac, err := privMAC("rkeyMac", c.param("rkeyMac"))
	if err != nil {
		return nil, err
	}
	r, err := h.Privacy.GetEnvelope(ctx, who, owner, collection, mac)
	if err != nil {
		return nil, privateError(err)
	}
	return privViewOf(r, true), nil
}

type privListOut struct {
	Cursor  string           `json:"cursor,omitempty"`
	Records []privRecordView `json:"records"`
}

func (h *PrivateHandlers) listRecords(ctx context.Context, c *Call) (any, error) {
	who, owner, collection, err := privReadTarget(c)
	if err != nil {
		return nil, err
	}
	limit, err := c.Int("limit", 50, 1, 100)
	if err != nil {
		return nil, err
	}
	var after []byte
	if s := c.param("cursor"); s != "" {
		if after, err = privMAC("cursor", s); err != nil {
			return nil, err
		}
	}
	maxEpoch, err := c.Int("maxEpoch", 0, 0, math.MaxInt)
	if err != nil {
		return nil, err
	}
	rs, err := h.Privacy.ListEnvelopesWith(ctx, who, owner, collection, store.PrivateListOptions{After: after, Limit: limit, MaxEpoch: uint64(maxEpoch)})
	if err != nil {
		return nil, privateError(err)
	}
	out := privListOut{Records: make([]privRecordView, len(rs))}
	for i, r := range rs {
		out.Records[i] = privViewOf(r, true)
	}
	if len(rs) == limit {
		out.Cursor = out.Records[len(rs)-1].RKeyMAC
	}
	return out, nil
}

type privCollectionView struct {
	Collection string `json:"collection"`
	Epoch      uint64 `json:"epoch"`
}

func (h *PrivateHandlers) listCollections(ctx context.Context, c *Call) (any, error) {
	owner, err := privOwner(c)
	if err != nil {
		return nil, err
	}
	cs, err := h.Privacy.Collections(ctx, owner)
	if err != nil {
		return nil, privateError(err)
	}
	out := make([]privCollectionView, len(cs))
	for i, pc := range cs {
		out[i] = privCollectionView{Collection: pc.Collection, Epoch: pc.Epoch}
	}
	return map[string]any{"collections": out}, nil
}
