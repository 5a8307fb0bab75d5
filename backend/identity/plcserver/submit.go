package plcserver

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/identity"
)

// recoveryWindow is how long after an operation a higher-priority rotation
// key may still nullify it.
const recoveryWindow = 72 * time.Hour

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	op, err := readOperation(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.submit(r.PathValue("did"), op); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("OK"))
}

// submit validates op as the next operation of the DID and, if it passes,
// appends (and persists) it.
func (s *Server) submit(rawDID string, op identity.Operation) error {
	if data, err := op.Data(); err == nil {
		if err := data.Validate(); err != nil {
			return badRequest("%s", err)
		}
	}
	did, err := syntax.ParseDID(rawDID)
	if err != nil {
		return badRequest("Improperly formatted did: %s", rawDID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	hist := s.historyLocked(did)
	nullify, err := checkNext(did, hist, op, s.now())
	if err != nil {
		return err
	}
	entry := identity.LogEntry{DID: did, Operation: op, CID: op.CID(), CreatedAt: s.nextTimestamp()}
	if err := identity.VerifyAuditLog(candidate(hist, nullify, entry)); err != nil {
		return badRequest("%s", err)
	}
	return s.commit(entry, nullify)
}

// candidate returns the DID's audit log as it would be with entry accepted.
func candidate(hist []identity.LogEntry, nullify []int, entry identity.LogEntry) []identity.LogEntry {
	out := append(make([]identity.LogEntry, 0, len(hist)+1), hist...)
	for _, i := range nullify {
		out[i].Nullified = true
	}
	return append(out, entry)
}

// nextTimestamp returns now at millisecond precision (what the log keeps),
// nudged past the newest entry so that createdAt strictly increases.
func (s *Server) nextTimestamp() time.Time {
	t := s.now().UTC().Truncate(time.Millisecond)
	if n := len(s.entries); n > 0 && !t.After(s.entries[n-1].CreatedAt) {
		t = s.entries[n-1].CreatedAt.Add(time.Millisecond)
	}
	return t
}

// checkNext applies the directory's rules for the operation following hist
// (the DID's audit log) and returns the positions in hist that accepting it
// nullifies. Messages are plc.directory's.
func checkNext(did syntax.DID, hist []identity.LogEntry, op identity.Operation, now time.Time) ([]int, error) {
	if len(hist) == 0 {
		return nil, checkGenesis(did, op)
	}
	if op.IsGenesis() {
		return nil, misordered()
	}
	act := activePositions(hist)
	at := -1
	for i, p := range act {
		if hist[p].CID == op.Prev() {
			at = i
		}
	}
	if at < 0 {
		return nil, misordered()
	}
	prevData, err := hist[act[at]].Operation.Data()
	if err != nil { // prev is a tombstone
		return nil, misordered()
	}
	later := act[at+1:]
	if len(later) == 0 {
		return nil, checkSigned(op, prevData.RotationKeys)
	}
	return later, checkNullification(op, prevData.RotationKeys, hist[later[0]], now)
}

// checkNullification checks an operation that forks history at prev,
// nullifying first and what followed it: it must be signed by a key of
// higher priority than first's signer, within the recovery window.
func checkNullification(op identity.Operation, keys []string, first identity.LogEntry, now time.Time) error {
	signer, err := first.Operation.SignedBy(keys)
	if err != nil {
		return badRequest("Could not find the signer of the operation to nullify: %s", err)
	}
	if err := checkSigned(op, keys[:signer]); err != nil {
		return err
	}
	if lapsed := now.Sub(first.CreatedAt); lapsed > recoveryWindow {
		return badRequest("Recovery operation occurred outside of the allowed 72 hr recovery window. Time lapsed: %d", lapsed.Milliseconds())
	}
	return nil
}

func checkGenesis(did syntax.DID, op identity.Operation) error {
	data, err := op.Data()
	if err != nil { // a tombstone cannot create a DID
		return misordered()
	}
	if err := checkSigned(op, data.RotationKeys); err != nil {
		return err
	}
	if !op.IsGenesis() {
		return misordered()
	}
	got, err := op.DID()
	if err != nil {
		return badRequest("%s", err)
	}
	if got != did {
		return badRequest("Hash of genesis operation does not match DID identifier: %s", got)
	}
	return nil
}

func checkSigned(op identity.Operation, keys []string) error {
	if len(keys) > 0 {
		if _, err := op.SignedBy(keys); err == nil {
			return nil
		}
	}
	b, _ := json.Marshal(op)
	return badRequest("Invalid signature on op: %s", b)
}

func misordered() error { return badRequest("Operations not correctly ordered") }

// activePositions returns the positions of hist's non-nullified entries.
func activePositions(hist []identity.LogEntry) []int {
	var out []int
	for i, e := range hist {
		if !e.Nullified {
			out = append(out, i)
		}
	}
	return out
}
