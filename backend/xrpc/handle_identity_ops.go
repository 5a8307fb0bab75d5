package xrpc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/store"
)

// IdentityOpsHandlers serves the com.atproto.identity methods beyond
// resolveHandle: handle updates, PLC operations for migrations, and DID
// and identity resolution.
type IdentityOpsHandlers struct {
	Lifecycle *account.Lifecycle
	Directory indigoid.Directory
	// Store answers for the handles hosted here, which the directory
	// cannot verify when they live under a test or private domain.
	Store store.Store
}

// Methods returns the methods to register.
func (h *IdentityOpsHandlers) Methods() []Method {
	const ns = "com.atproto.identity."
	return []Method{
		{NSID: ns + "updateHandle", Kind: Procedure, Auth: AccessAuth, Handler: h.updateHandle},
		{NSID: ns + "getRecommendedDidCredentials", Kind: Query, Auth: AccessAuth, Handler: h.getRecommendedDidCredentials},
		{NSID: ns + "requestPlcOperationSignature", Kind: Procedure, Auth: AccessAuth, Handler: h.requestPlcOperationSignature},
		{NSID: ns + "signPlcOperation", Kind: Procedure, Auth: AccessAuth, Handler: h.signPlcOperation},
		{NSID: ns + "submitPlcOperation", Kind: Procedure, Auth: AccessAuth, Handler: h.submitPlcOperation},
		{NSID: ns + "resolveDid", Kind: Query, Handler: h.resolveDid},
		{NSID: ns + "resolveIdentity", Kind: Query, Handler: h.resolveIdentity},
		{NSID: ns + "refreshIdentity", Kind: Procedure, Handler: h.refreshIdentity},
	}
}

type updateHandleIn struct {
	Handle string `json:"handle"`
}

func (h *IdentityOpsHandlers) updateHandle(ctx context.Context, c *Call) (any, error) {
	var in updateHandleIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Handle == "" {
		return nil, invalidRequest("Input must have the property \"handle\"")
	}
	if _, err := syntax.ParseHandle(in.Handle); err != nil {
		return nil, Errorf(http.StatusBadRequest, "InvalidHandle", "handle must be a valid handle: %q", in.Handle)
	}
	_, err := h.Lifecycle.UpdateHandle(ctx, c.Viewer.DID, in.Handle)
	return nil, lifecycleError(err)
}

type credentialsOut struct {
	RotationKeys        []string                      `json:"rotationKeys"`
	AlsoKnownAs         []string                      `json:"alsoKnownAs,omitempty"`
	VerificationMethods map[string]string             `json:"verificationMethods"`
	Services            map[string]identity.OpService `json:"services"`
}

func (h *IdentityOpsHandlers) getRecommendedDidCredentials(ctx context.Context, c *Call) (any, error) {
	cr, err := h.Lifecycle.RecommendedCredentials(ctx, c.Viewer.DID)
	if err != nil {
		return nil, lifecycleError(err)
	}
	return credentialsOut{RotationKeys: cr.RotationKeys, AlsoKnownAs: cr.AlsoKnownAs, VerificationMethods: cr.VerificationMethods, Services: cr.Services}, nil
}

func (h *IdentityOpsHandlers) requestPlcOperationSignature(ctx context.Context, c *Call) (any, error) {
	if err := requireFullSession(c.Viewer); err != nil {
		return nil, err
	}
	return nil, lifecycleError(h.Lifecycle.RequestPLCSignature(ctx, c.Viewer.DID))
}

type signPlcOperationIn struct {
	Token               string                        `json:"token"`
	RotationKeys        []string                      `json:"rotationKeys"`
	AlsoKnownAs         []string                      `json:"alsoKnownAs"`
	VerificationMethods map[string]string             `json:"verificationMethods"`
	Services            map[string]identity.OpService `json:"services"`
}

func (h *IdentityOpsHandlers) signPlcOperation(ctx context.Context, c *Call) (any, error) {
	if err := requireFullSession(c.Viewer); err != nil {
		return nil, err
	}
	var in signPlcOperationIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Token == "" {
		return nil, invalidRequest("email confirmation token required to sign PLC operations")
	}
	op, err := h.Lifecycle.SignPLCOperation(ctx, c.Viewer.DID, in.Token, account.PLCEdit{
		RotationKeys: in.RotationKeys, AlsoKnownAs: in.AlsoKnownAs,
		VerificationMethods: in.VerificationMethods, Services: in.Services,
	})
	if err != nil {
		return nil, lifecycleError(err)
	}
	return map[string]any{"operation": op}, nil
}

type submitPlcOperationIn struct {
	Operation json.RawMessage `json:"operation"`
}

func (h *IdentityOpsHandlers) submitPlcOperation(ctx context.Context, c *Call) (any, error) {
	var in submitPlcOperationIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.Operation) == 0 || string(in.Operation) == "null" {
		return nil, invalidRequest("Input must have the property \"operation\"")
	}
	return nil, lifecycleError(h.Lifecycle.SubmitPLCOperation(ctx, c.Viewer.DID, in.Operation))
}

func (h *IdentityOpsHandlers) resolveDid(ctx context.Context, c *Call) (any, error) {
	raw, err := c.DID("did", true)
	if err != nil {
		return nil, err
	}
	ident, err := h.Directory.LookupDID(ctx, syntax.DID(raw))
	if err != nil {
		return nil, resolveError(err)
	}
	return map[string]any{"didDoc": ident.DIDDocument()}, nil
}

type identityInfoOut struct {
	DID    string `json:"did"`
	Handle string `json:"handle"`
	DIDDoc any    `json:"didDoc"`
}

func (h *IdentityOpsHandlers) resolveIdentity(ctx context.Context, c *Call) (any, error) {
	id, err := c.AtIdentifier("identifier", true)
	if err != nil {
		return nil, err
	}
	return h.lookup(ctx, id)
}

type refreshIdentityIn struct {
	Identifier string `json:"identifier"`
}

func (h *IdentityOpsHandlers) refreshIdentity(ctx context.Context, c *Call) (any, error) {
	var in refreshIdentityIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Identifier == "" {
		return nil, invalidRequest("Input must have the property \"identifier\"")
	}
	id, err := syntax.ParseAtIdentifier(in.Identifier)
	if err != nil {
		return nil, invalidRequest("identifier must be a valid handle or did: %q", in.Identifier)
	}
	if err := h.Directory.Purge(ctx, id); err != nil {
		return nil, err
	}
	return h.lookup(ctx, id)
}

// lookup resolves a handle or DID through the directory, verifying the
// handle both ways ("handle.invalid" when it does not). A handle hosted here
// counts as verified when the DID document declares it.
func (h *IdentityOpsHandlers) lookup(ctx context.Context, id syntax.AtIdentifier) (any, error) {
	var ident *indigoid.Identity
	var err error
	if handle, herr := id.AsHandle(); herr == nil {
		ident, err = h.lookupHandle(ctx, handle)
	} else {
		did, _ := id.AsDID()
		ident, err = h.Directory.LookupDID(ctx, did)
	}
	if err != nil {
		return nil, resolveError(err)
	}
	h.verifyHostedHandle(ctx, ident)
	return identityInfoOut{DID: ident.DID.String(), Handle: ident.Handle.String(), DIDDoc: ident.DIDDocument()}, nil
}

// lookupHandle resolves a hosted handle from the store and any other
// through the directory.
func (h *IdentityOpsHandlers) lookupHandle(ctx context.Context, handle syntax.Handle) (*indigoid.Identity, error) {
	if h.Store != nil {
		if acct, err := h.Store.GetAccountByHandle(ctx, identity.NormalizeHandle(handle.String())); err == nil {
			ident, err := h.Directory.LookupDID(ctx, syntax.DID(acct.DID))
			if err != nil {
				return nil, err
			}
			if declared, derr := ident.DeclaredHandle(); derr != nil || declared.Normalize() != handle.Normalize() {
				return nil, indigoid.ErrHandleMismatch
			}
			return ident, nil
		}
	}
	return h.Directory.LookupHandle(ctx, handle)
}

// verifyHostedHandle marks the identity's declared handle valid when it is
// hosted here for that DID.
func (h *IdentityOpsHandlers) verifyHostedHandle(ctx context.Context, ident *indigoid.Identity) {
	declared, err := ident.DeclaredHandle()
	if err != nil || h.Store == nil {
		return
	}
	acct, err := h.Store.GetAccountByHandle(ctx, identity.NormalizeHandle(declared.String()))
	if err == nil && acct.DID == ident.DID.String() {
		ident.Handle = declared.Normalize()
	}
}

// resolveError maps identity resolution failures to the lexicons' errors:
// a handle that does not resolve (or does not match its DID document) is
// HandleNotFound; a DID that cannot be resolved is DidNotFound.
func resolveError(err error) error {
	for _, target := range []error{indigoid.ErrHandleNotFound, indigoid.ErrHandleResolutionFailed,
		indigoid.ErrHandleMismatch, indigoid.ErrHandleNotDeclared, indigoid.ErrHandleReservedTLD, indigoid.ErrInvalidHandle} {
		if errors.Is(err, target) {
			return Errorf(http.StatusBadRequest, "HandleNotFound", "%v", err)
		}
	}
	return Errorf(http.StatusBadRequest, "DidNotFound", "could not resolve the DID: %v", err)
}
