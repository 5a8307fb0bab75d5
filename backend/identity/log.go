package identity

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/did-method-plc/go-didplc"
)

// TimeFormat is how a PLC directory writes createdAt: JavaScript's
// toISOString, UTC with milliseconds.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// LogEntry is one operation in a DID's audit log, as the directory's
// /<did>/log/audit returns it.
type LogEntry struct {
	DID       syntax.DID
	Operation Operation
	CID       string
	Nullified bool
	CreatedAt time.Time
}

type logEntryJSON struct {
	DID       string    `json:"did"`
	Operation Operation `json:"operation"`
	CID       string    `json:"cid"`
	Nullified bool      `json:"nullified"`
	CreatedAt string    `json:"createdAt"`
}

// MarshalJSON encodes the entry as the directory does, createdAt in
// TimeFormat.
func (e LogEntry) MarshalJSON() ([]byte, error) {
	return json.Marshal(logEntryJSON{
		DID:       e.DID.String(),
		Operation: e.Operation,
		CID:       e.CID,
		Nullified: e.Nullified,
		CreatedAt: e.CreatedAt.UTC().Format(TimeFormat),
	})
}

// UnmarshalJSON decodes an entry written by a directory.
func (e *LogEntry) UnmarshalJSON(b []byte) error {
	var j logEntryJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("decode log entry: %w", err)
	}
	did, err := syntax.ParseDID(j.DID)
	if err != nil {
		return fmt.Errorf("decode log entry: %w", err)
	}
	t, err := syntax.ParseDatetime(j.CreatedAt)
	if err != nil {
		return fmt.Errorf("decode log entry createdAt: %w", err)
	}
	*e = LogEntry{DID: did, Operation: j.Operation, CID: j.CID, Nullified: j.Nullified, CreatedAt: t.Time()}
	return nil
}

// VerifyAuditLog checks a DID's whole audit log, in order: each CID matches
// its operation, the genesis hashes to the DID, every operation is signed by
// a key its prev allowed, timestamps increase, and nullified flags are
// exactly those the nullification rules (a higher-priority key, within 72
// hours) produce. The work is done by go-didplc's VerifyOpLog.
func VerifyAuditLog(entries []LogEntry) error {
	plcEntries := make([]didplc.LogEntry, len(entries))
	for i, e := range entries {
		enum, err := opEnum(e.Operation)
		if err != nil {
			return fmt.Errorf("verify audit log entry %d: %w", i, err)
		}
		plcEntries[i] = didplc.LogEntry{
			DID:       e.DID.String(),
			Operation: enum,
			CID:       e.CID,
			Nullified: e.Nullified,
			CreatedAt: e.CreatedAt.UTC().Format(TimeFormat),
		}
	}
	if err := didplc.VerifyOpLog(plcEntries); err != nil {
		return fmt.Errorf("%w: audit log: %w", ErrInvalidOperation, err)
	}
	return nil
}

func opEnum(o Operation) (didplc.OpEnum, error) {
	switch op := o.op.(type) {
	case *didplc.RegularOp:
		return didplc.OpEnum{Regular: op}, nil
	case *didplc.TombstoneOp:
		return didplc.OpEnum{Tombstone: op}, nil
	case *didplc.LegacyOp:
		return didplc.OpEnum{Legacy: op}, nil
	}
	return didplc.OpEnum{}, fmt.Errorf("%w: empty operation", ErrInvalidOperation)
}
