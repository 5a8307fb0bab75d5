package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bluesky-social/indigo/atproto/atdata"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/hearthpds/hearth/backend/lexicon"
	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
)

// ListPrivateCollections lists the owner's private collections with their
// record counts, current epochs and how many people can read them.
func (a *App) ListPrivateCollections() ([]PrivateCollectionInfo, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return nil, err
	}
	defer cancel()
	cols, err := op.svc.Collections(op.ctx, op.did)
	if err != nil {
		return nil, privateError(err)
	}
	grants, err := op.svc.ListGrants(op.ctx, op.did, "", false)
	if err != nil {
		return nil, privateError(err)
	}
	readers := map[string]map[string]bool{}
	for _, g := range grants {
		if g.GranteeDID == op.did {
			continue
		}
		if readers[g.Collection] == nil {
			readers[g.Collection] = map[string]bool{}
		}
		readers[g.Collection][g.GranteeDID] = true
	}
	out := make([]PrivateCollectionInfo, len(cols))
	for i, c := range cols {
		_, known := lexicon.Schema(c.Collection)
		out[i] = PrivateCollectionInfo{Collection: c.Collection, Epoch: c.Epoch, Records: c.Records,
			Grantees: len(readers[c.Collection]), HasLexicon: known}
	}
	return out, nil
}

// ListPrivateRecords decrypts a page of a private collection (see
// PrivateRecordPage for the order); cursor continues from a previous page.
func (a *App) ListPrivateRecords(collection, cursor string, limit int) (PrivateRecordPage, error) {
	op, cancel, err := a.openPrivateCollection(collection)
	if err != nil {
		return PrivateRecordPage{}, err
	}
	defer cancel()
	limit = clampLimit(limit)
	recs, err := op.svc.ListRecords(op.ctx, op.did, collection, cursor, limit+1)
	if err != nil {
		return PrivateRecordPage{}, privateError(err)
	}
	page := PrivateRecordPage{Records: []PrivateRecordSummary{}}
	if len(recs) > limit {
		recs = recs[:limit]
		page.Cursor = recs[limit-1].RKey
	}
	for _, r := range recs {
		page.Records = append(page.Records, summarizePrivate(r))
	}
	slices.SortFunc(page.Records, func(x, y PrivateRecordSummary) int { return strings.Compare(y.RKey, x.RKey) })
	return page, nil
}

func summarizePrivate(r privacy.Record) PrivateRecordSummary {
	s := PrivateRecordSummary{RKey: r.RKey, Epoch: r.Epoch}
	var v map[string]any
	if err := json.Unmarshal(r.Value, &v); err != nil {
		s.Preview = "(not a JSON object)"
		return s
	}
	if c, ok := v["createdAt"].(string); ok {
		s.CreatedAt = c
	}
	s.Preview = preview(v)
	return s
}

// GetPrivateRecord decrypts one private record.
func (a *App) GetPrivateRecord(collection, rkey string) (PrivateRecordDetail, error) {
	op, cancel, err := a.openPrivateCollection(collection)
	if err != nil {
		return PrivateRecordDetail{}, err
	}
	defer cancel()
	r, err := op.svc.GetRecord(op.ctx, op.did, collection, rkey)
	if errors.Is(err, store.ErrNotFound) {
		return PrivateRecordDetail{}, fmt.Errorf("there is no private record %s/%s (RecordNotFound)", collection, rkey)
	}
	if err != nil {
		return PrivateRecordDetail{}, privateError(err)
	}
	var pretty strings.Builder
	if err := indentJSON(&pretty, r.Value); err != nil {
		return PrivateRecordDetail{}, uiError(err)
	}
	d := PrivateRecordDetail{Collection: collection, RKey: r.RKey, JSON: pretty.String(), Epoch: r.Epoch, CID: r.CID, Rev: r.Rev}
	d.CurrentEpoch = op.currentEpoch(collection)
	return d, nil
}

// indentJSON pretty-prints raw JSON.
func indentJSON(w *strings.Builder, raw []byte) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("decode the record: %w", err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the record: %w", err)
	}
	w.Write(b)
	return nil
}

// currentEpoch is the collection's current epoch (0 when unknown).
func (op *privateOp) currentEpoch(collection string) uint64 {
	cols, err := op.svc.Collections(op.ctx, op.did)
	if err != nil {
		return 0
	}
	for _, c := range cols {
		if c.Collection == collection {
			return c.Epoch
		}
	}
	return 0
}

// CreatePrivateRecord encrypts a new record (rkey "" assigns a TID) after
// checking it against its collection's lexicon when one is known. A
// collection that holds public records cannot hold private ones.
func (a *App) CreatePrivateRecord(collection, rkey, recordJSON string) (PrivateRecordRef, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateRecordRef{}, err
	}
	defer cancel()
	rkey = strings.TrimSpace(rkey)
	if rkey == "" {
		rkey = syntax.NewTIDNow(0).String()
	} else if _, err := op.svc.GetRecord(op.ctx, op.did, collection, rkey); err == nil {
		return PrivateRecordRef{}, fmt.Errorf("there is already a private record %s/%s: open it to edit it (RecordAlreadyExists)", collection, rkey)
	}
	return op.write(collection, rkey, recordJSON)
}

// PutPrivateRecord replaces (or creates) a private record.
func (a *App) PutPrivateRecord(collection, rkey, recordJSON string) (PrivateRecordRef, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateRecordRef{}, err
	}
	defer cancel()
	if strings.TrimSpace(rkey) == "" {
		return PrivateRecordRef{}, invalid("a record key is required")
	}
	return op.write(collection, strings.TrimSpace(rkey), recordJSON)
}

// write validates and encrypts one record.
func (op *privateOp) write(collection, rkey, recordJSON string) (PrivateRecordRef, error) {
	if err := checkPrivateCollection(collection); err != nil {
		return PrivateRecordRef{}, err
	}
	if _, err := syntax.ParseRecordKey(rkey); err != nil {
		return PrivateRecordRef{}, invalid("%q is not a record key: %v", rkey, err)
	}
	if err := op.mayWrite(); err != nil {
		return PrivateRecordRef{}, err
	}
	if err := op.notPublic(collection); err != nil {
		return PrivateRecordRef{}, err
	}
	value, status, err := privateValue(collection, recordJSON)
	if err != nil {
		return PrivateRecordRef{}, err
	}
	r, err := op.svc.PutRecord(op.ctx, op.did, collection, rkey, value)
	if err != nil {
		return PrivateRecordRef{}, privateError(err)
	}
	return PrivateRecordRef{Collection: collection, RKey: rkey, CID: r.CID.String(), Epoch: r.Epoch, Rev: r.Rev,
		ValidationStatus: string(status)}, nil
}

// notPublic refuses a private write to a collection with public records:
// one NSID is either public or private.
func (op *privateOp) notPublic(collection string) error {
	cols, err := op.run.srv.Store().ListCollections(op.ctx, op.did)
	if err != nil {
		return uiError(err)
	}
	for _, c := range cols {
		if c.Name == collection && c.Count > 0 {
			return fmt.Errorf("%s holds public records in your repository: a collection is either public or private, "+
				"so choose another collection for private records (PublicCollection)", collection)
		}
	}
	return nil
}

// privateValue parses a record's JSON as atproto data, fills in its $type
// and checks it against the collection's lexicon as public writes are.
func privateValue(collection, recordJSON string) (json.RawMessage, lexicon.Status, error) {
	rec, err := atdata.UnmarshalJSON([]byte(recordJSON))
	if err != nil {
		return nil, "", invalid("the record is not valid JSON for atproto: %v", err)
	}
	if _, ok := rec["$type"]; !ok {
		rec["$type"] = collection
	}
	status, err := lexicon.ValidateRecord(collection, rec)
	if err != nil {
		return nil, "", uiError(err)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, "", uiError(fmt.Errorf("encode the record: %w", err))
	}
	return b, status, nil
}

// checkPrivateCollection checks a collection name before any work.
func checkPrivateCollection(collection string) error {
	if _, err := syntax.ParseNSID(collection); err != nil {
		return invalid("%q is not a collection name (like com.example.diary.entry)", collection)
	}
	if collection == crypt.KeyRecordNSID {
		return invalid("%s is your public key record's collection and stays public", collection)
	}
	return nil
}

// DeletePrivateRecord deletes a private record.
func (a *App) DeletePrivateRecord(collection, rkey string) error {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return err
	}
	defer cancel()
	if err := checkPrivateCollection(collection); err != nil {
		return err
	}
	err = op.svc.DeleteRecord(op.ctx, op.did, collection, rkey)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("there is no private record %s/%s (RecordNotFound)", collection, rkey)
	}
	return privateError(err)
}
