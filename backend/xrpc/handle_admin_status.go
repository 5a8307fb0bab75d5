package xrpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/store"
)

// Subject types of the admin methods.
const (
	typeRepoRef     = "com.atproto.admin.defs#repoRef"
	typeStrongRef   = "com.atproto.repo.strongRef"
	typeRepoBlobRef = "com.atproto.admin.defs#repoBlobRef"
)

// subjectRef is a subject as the admin methods write it.
type subjectRef struct {
	Type string `json:"$type"`
	DID  string `json:"did,omitempty"`
	URI  string `json:"uri,omitempty"`
	CID  string `json:"cid,omitempty"`
}

// statusAttr is com.atproto.admin.defs#statusAttr.
type statusAttr struct {
	Applied bool   `json:"applied"`
	Ref     string `json:"ref,omitempty"`
}

type subjectStatusOut struct {
	Subject     subjectRef  `json:"subject"`
	Takedown    *statusAttr `json:"takedown,omitempty"`
	Deactivated *statusAttr `json:"deactivated,omitempty"`
}

func takedownAttr(ref string) *statusAttr { return &statusAttr{Applied: ref != "", Ref: ref} }

func (h *AdminHandlers) getSubjectStatus(ctx context.Context, c *Call) (any, error) {
	did, err := c.DID("did", false)
	if err != nil {
		return nil, err
	}
	uri, _ := c.Str("uri", false)
	blob, err := c.CID("blob", false)
	switch {
	case err != nil:
		return nil, err
	case blob != nil:
		return h.blobStatus(ctx, did, *blob)
	case uri != "":
		return h.recordStatus(ctx, uri)
	case did != "":
		return h.accountStatus(ctx, did)
	}
	return nil, invalidRequest("No provided subject")
}

func (h *AdminHandlers) blobStatus(ctx context.Context, did string, blob cid.Cid) (any, error) {
	if did == "" {
		return nil, invalidRequest("Must provide a did to request blob state")
	}
	ref, err := h.Store.GetTakedown(ctx, store.Subject{DID: did, Blob: &blob})
	if errors.Is(err, store.ErrNotFound) {
		return nil, adminNotFound("Subject")
	}
	if err != nil {
		return nil, err
	}
	return subjectStatusOut{Subject: subjectRef{Type: typeRepoBlobRef, DID: did, CID: blob.String()}, Takedown: takedownAttr(ref)}, nil
}

func (h *AdminHandlers) recordStatus(ctx context.Context, raw string) (any, error) {
	subj, err := recordSubject(raw)
	if err != nil {
		return nil, err
	}
	ref, err := h.Store.GetTakedown(ctx, subj)
	if err == nil {
		var rec store.Record
		rec, err = h.Store.GetRecord(ctx, subj.DID, subj.Collection, subj.RKey)
		if err == nil {
			return subjectStatusOut{Subject: subjectRef{Type: typeStrongRef, URI: raw, CID: rec.CID.String()}, Takedown: takedownAttr(ref)}, nil
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, adminNotFound("Subject")
	}
	return nil, err
}

// recordSubject parses the at:// URI of a record subject.
func recordSubject(raw string) (store.Subject, error) {
	u, err := syntax.ParseATURI(raw)
	if err != nil || !u.Authority().IsDID() || u.Collection() == "" || u.RecordKey() == "" {
		return store.Subject{}, invalidRequest("uri must be the at:// URI of a record, with a did: %q", raw)
	}
	return store.Subject{DID: u.Authority().String(), Collection: u.Collection().String(), RKey: u.RecordKey().String()}, nil
}

func (h *AdminHandlers) accountStatus(ctx context.Context, did string) (any, error) {
	acct, err := h.Store.GetAccount(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return nil, adminNotFound("Subject")
	}
	if err != nil {
		return nil, err
	}
	deactivated := acct.Status == store.StatusDeactivated || acct.DeactivatedAt != nil
	return subjectStatusOut{
		Subject:     subjectRef{Type: typeRepoRef, DID: did},
		Takedown:    takedownAttr(acct.TakedownRef),
		Deactivated: &statusAttr{Applied: deactivated},
	}, nil
}

type statusAttrIn struct {
	Applied *bool   `json:"applied"`
	Ref     *string `json:"ref"`
}

type updateSubjectStatusIn struct {
	Subject     json.RawMessage `json:"subject"`
	Takedown    *statusAttrIn   `json:"takedown"`
	Deactivated *statusAttrIn   `json:"deactivated"`
}

type updateSubjectStatusOut struct {
	Subject  json.RawMessage `json:"subject"`
	Takedown *statusAttr     `json:"takedown,omitempty"`
}

func (h *AdminHandlers) updateSubjectStatus(ctx context.Context, c *Call) (any, error) {
	var in updateSubjectStatusIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	subj, err := parseSubject(in.Subject)
	if err != nil {
		return nil, err
	}
	for name, a := range map[string]*statusAttrIn{"takedown": in.Takedown, "deactivated": in.Deactivated} {
		if a != nil && a.Applied == nil {
			return nil, invalidRequest("%s must have the property \"applied\"", name)
		}
	}
	var takedown *statusAttr
	if in.Takedown != nil {
		takedown = &statusAttr{Applied: *in.Takedown.Applied}
		if takedown.Applied {
			takedown.Ref = h.now().UTC().Format(time.RFC3339Nano)
			if in.Takedown.Ref != nil {
				takedown.Ref = *in.Takedown.Ref
			}
		}
	}
	if err := h.applyStatus(ctx, subj, takedown, in.Deactivated); err != nil {
		return nil, err
	}
	return updateSubjectStatusOut{Subject: in.Subject, Takedown: takedown}, nil
}

// parseSubject reads a repoRef, strongRef or repoBlobRef subject.
func parseSubject(raw json.RawMessage) (store.Subject, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return store.Subject{}, invalidRequest("Input must have the property \"subject\"")
	}
	var ref subjectRef
	if err := json.Unmarshal(raw, &ref); err != nil {
		return store.Subject{}, invalidRequest("subject must be an object with a $type")
	}
	switch ref.Type {
	case typeRepoRef:
		did, err := didField("subject.did", ref.DID)
		return store.Subject{DID: did}, err
	case typeStrongRef:
		if _, err := cid.Decode(ref.CID); err != nil {
			return store.Subject{}, invalidRequest("subject.cid must be a valid cid: %q", ref.CID)
		}
		return recordSubject(ref.URI)
	case typeRepoBlobRef:
		did, err := didField("subject.did", ref.DID)
		if err != nil {
			return store.Subject{}, err
		}
		blob, err := cid.Decode(ref.CID)
		if err != nil {
			return store.Subject{}, invalidRequest("subject.cid must be a valid cid: %q", ref.CID)
		}
		return store.Subject{DID: did, Blob: &blob}, nil
	}
	return store.Subject{}, invalidRequest("Invalid subject (%s)", ref.Type)
}

// applyStatus applies a takedown change and, for an account, a
// deactivation change, and records the account's resulting status in one
// #account event, as the reference PDS does.
func (h *AdminHandlers) applyStatus(ctx context.Context, subj store.Subject, takedown *statusAttr, deactivated *statusAttrIn) error {
	if subj.Blob != nil || subj.Collection != "" {
		if takedown == nil {
			return nil
		}
		_, err := h.Store.SetTakedown(ctx, subj, takedown.Ref, nil)
		return subjectError(err)
	}
	acct, err := h.account(ctx, subj.DID)
	if err != nil {
		return err
	}
	final := finalStatus(acct.Status, takedown, deactivated)
	events := []store.Event{firehose.AccountEvent(subj.DID, final, h.now())}
	switch {
	case takedown != nil && final == afterTakedown(takedown):
		_, err = h.Store.SetTakedown(ctx, subj, takedown.Ref, events) // the usual case, in one transaction
	case takedown != nil:
		if _, err = h.Store.SetTakedown(ctx, subj, takedown.Ref, nil); err == nil {
			_, err = h.Store.SetAccountStatus(ctx, subj.DID, final, events)
		}
	case final != acct.Status:
		_, err = h.Store.SetAccountStatus(ctx, subj.DID, final, events)
	default:
		_, err = h.Store.AppendEvents(ctx, events)
	}
	if err != nil {
		return subjectError(err)
	}
	if takedown != nil && takedown.Applied {
		return h.endSessions(ctx, subj.DID)
	}
	return nil
}

// endSessions revokes a taken-down account's refresh tokens and emailed
// tokens, as the reference PDS does. (Access tokens live out their short
// lifetime.)
func (h *AdminHandlers) endSessions(ctx context.Context, did string) error {
	if _, err := h.Store.DeleteAccountRefreshTokens(ctx, did); err != nil {
		return fmt.Errorf("end sessions of %s: %w", did, err)
	}
	h.forgetEmailTokens(ctx, did)
	return nil
}

// afterTakedown is the status the store gives an account when a takedown
// is applied or lifted.
func afterTakedown(t *statusAttr) store.AccountStatus {
	if t.Applied {
		return store.StatusTakendown
	}
	return store.StatusActive
}

// finalStatus is an account's status after a takedown and a deactivation
// change. A takedown outranks a deactivation; lifting a takedown that was
// not applied leaves the status as it was.
func finalStatus(cur store.AccountStatus, takedown *statusAttr, deactivated *statusAttrIn) store.AccountStatus {
	switch {
	case takedown != nil && takedown.Applied:
		return store.StatusTakendown
	case takedown != nil && cur == store.StatusTakendown:
		cur = store.StatusActive
	}
	if deactivated == nil || cur == store.StatusTakendown {
		return cur
	}
	if *deactivated.Applied {
		return store.StatusDeactivated
	}
	return store.StatusActive
}

func subjectError(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return adminNotFound("Subject")
	}
	return err
}
