package repo

import (
	"github.com/bluesky-social/indigo/atproto/atdata"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
	"maps"
)

// Action is what a write does to a record.
type Action int

// Actions. Put creates the record or, if it exists, updates it.
const (
	Create Action = iota + 1
	Update
	Delete
	Put
)

// String names the action as the firehose and applyWrites results do.
func (a Action) String() string {
	switch a {
	case Create:
		return "create"
	case Update:
		return "update"
	case Delete:
		return "delete"
	case Put:
		return "put"
	}
	return "unknown"
}

// Swap is a compare-and-swap condition on a record: the write applies only
// if the record's current CID is CID, or if CID is nil, only if the record
// does not exist.
type Swap struct {
	CID *cid.Cid
}

// Write is one record write.
type Write struct {
	Action     Action
	Collection string
	RKey       string         // may be empty on Create: a TID is assigned
	Record     map[string]any // atdata-parsed record (Create, Update, Put)
	Swap       *Swap          // optional
}

// Validation says how records are checked against their lexicons.
type Validation int

// Validation modes, matching the XRPC `validate` parameter: unset, true, false.
const (
	// ValidateAuto validates records of known collections and accepts
	// unknown ones with status "unknown".
	ValidateAuto Validation = iota
	// ValidateRequire fails records whose collection has no known lexicon.
	ValidateRequire
	// ValidateSkip does not validate (status "unknown" is not reported).
	ValidateSkip
)

// Validator checks a record against its collection's lexicon. known is false
// when the collection has no lexicon; err describes an invalid record.
type Validator interface {
	ValidateRecord(collection string, record map[string]any) (known bool, err error)
}

// Validation statuses reported to clients.
const (
	StatusValid   = "valid"
	StatusUnknown = "unknown"
)

// WriteResult is the outcome of one write.
type WriteResult struct {
	Action           Action // Create, Update or Delete (a Put resolves to one)
	Collection       string
	RKey             string
	CID              cid.Cid // zero for deletes
	ValidationStatus string  // "valid", "unknown" or "" (skipped, deletes)
}

// URI is the record's at:// URI for the repo did.
func (r WriteResult) URI(did string) string {
	return "at://" + did + "/" + r.Collection + "/" + r.RKey
}

// cidBuilder makes CIDv1 dag-cbor sha2-256 CIDs, as atproto requires.
var cidBuilder = cid.NewPrefixV1(cid.DagCBOR, multihash.SHA2_256)

// prepared is a write whose record is encoded and validated, ready to apply.
type prepared struct {
	Write
	action Action // the effective action (a Put resolves to Create or Update)
	path   string
	cid    *cid.Cid // nil for deletes
	block  []byte
	blobs  []cid.Cid
	status string
}

// prepare checks syntax, encodes and validates one write. It runs outside
// the repo lock. newRKey makes record keys for creates without one.
func prepare(i int, w Write, mode Validation, v Validator, newRKey func() string) (*prepared, error) {
	if _, err := syntax.ParseNSID(w.Collection); err != nil {
		return nil, invalidWrite(i, "invalid collection %q: must be an NSID", w.Collection)
	}
	if w.RKey == "" && w.Action == Create {
		w.RKey = newRKey()
	}
	if _, err := syntax.ParseRecordKey(w.RKey); err != nil {
		return nil, invalidWrite(i, "invalid record key %q", w.RKey)
	}
	p := &prepared{Write: w, path: w.Collection + "/" + w.RKey}
	if w.Action == Delete {
		return p, nil
	}
	if w.Record == nil {
		return nil, invalidWrite(i, "record is required")
	}
	if err := p.encode(i); err != nil {
		return nil, err
	}
	status, err := validate(i, w, mode, v)
	if err != nil {
		return nil, err
	}
	p.status = status
	return p, nil
}

func (p *prepared) encode(i int) error {
	if _, ok := p.Record["$type"]; !ok {
		// As the reference PDS does, a record without $type gets its
		// collection's (on a copy: the caller's map is left alone).
		rec := make(map[string]any, len(p.Record)+1)
		maps.Copy(rec, p.Record)
		rec["$type"] = p.Collection
		p.Record = rec
	}
	if t, ok := p.Record["$type"].(string); !ok || t != p.Collection {
		return invalidWrite(i, "record $type must be %q", p.Collection)
	}
	block, err := atdata.MarshalCBOR(p.Record)
	if err != nil {
		return invalidWrite(i, "record cannot be encoded: %v", err)
	}
	if len(block) > atdata.MAX_CBOR_RECORD_SIZE {
		return invalidWrite(i, "record is %d bytes encoded; the limit is %d", len(block), atdata.MAX_CBOR_RECORD_SIZE)
	}
	c, err := cidBuilder.Sum(block)
	if err != nil {
		return invalidWrite(i, "record cannot be hashed: %v", err)
	}
	p.block, p.cid = block, &c
	for _, b := range atdata.ExtractBlobs(p.Record) {
		p.blobs = append(p.blobs, cid.Cid(b.Ref))
	}
	return nil
}

func validate(i int, w Write, mode Validation, v Validator) (string, error) {
	if mode == ValidateSkip || v == nil {
		return "", nil
	}
	known, err := v.ValidateRecord(w.Collection, w.Record)
	if err != nil {
		return "", &InvalidWriteError{Index: i, Message: err.Error(), Err: err}
	}
	if known {
		return StatusValid, nil
	}
	if mode == ValidateRequire {
		return "", invalidWrite(i, "lexicon not found for collection %s", w.Collection)
	}
	return StatusUnknown, nil
}
