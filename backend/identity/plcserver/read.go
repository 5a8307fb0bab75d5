package plcserver

import (
	"net/http"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/identity"
)

// history returns a copy of the DID's audit log, or a 404 when the DID is
// unknown (or not a DID at all, as the real directory answers).
func (s *Server) history(raw string) (syntax.DID, []identity.LogEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	did, err := syntax.ParseDID(raw)
	if err != nil || len(s.byDID[did]) == 0 {
		return "", nil, notFound("DID not registered: %s", raw)
	}
	return did, s.historyLocked(did), nil
}

func (s *Server) historyLocked(did syntax.DID) []identity.LogEntry {
	idx := s.byDID[did]
	out := make([]identity.LogEntry, len(idx))
	for i, j := range idx {
		out[i] = s.entries[j]
	}
	return out
}

// active returns the entries that are not nullified.
func active(hist []identity.LogEntry) []identity.LogEntry {
	var out []identity.LogEntry
	for _, e := range hist {
		if !e.Nullified {
			out = append(out, e)
		}
	}
	return out
}

// currentData returns the data of the DID's latest active operation, or a
// 404 for an unknown or tombstoned DID.
func (s *Server) currentData(raw string) (syntax.DID, identity.OpData, error) {
	did, hist, err := s.history(raw)
	if err != nil {
		return "", identity.OpData{}, err
	}
	act := active(hist)
	data, err := act[len(act)-1].Operation.Data()
	if err != nil {
		return "", identity.OpData{}, notFound("DID not available: %s", raw)
	}
	return did, data, nil
}

func (s *Server) handleDocument(w http.ResponseWriter, r *http.Request) {
	did, data, err := s.currentData(r.PathValue("did"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	doc, err := identity.FormatDocument(did, data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, "application/did+ld+json", doc)
}

func (s *Server) handleData(w http.ResponseWriter, r *http.Request) {
	did, data, err := s.currentData(r.PathValue("did"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, "application/json", struct {
		DID string `json:"did"`
		identity.OpData
	}{did.String(), data})
}

func (s *Server) handleLog(w http.ResponseWriter, r *http.Request) {
	_, hist, err := s.history(r.PathValue("did"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	act := active(hist)
	ops := make([]identity.Operation, len(act))
	for i, e := range act {
		ops[i] = e.Operation
	}
	writeJSON(w, http.StatusOK, "application/json", ops)
}

func (s *Server) handleAuditLog(w http.ResponseWriter, r *http.Request) {
	_, hist, err := s.history(r.PathValue("did"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, "application/json", hist)
}

func (s *Server) handleLastOp(w http.ResponseWriter, r *http.Request) {
	_, hist, err := s.history(r.PathValue("did"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	act := active(hist)
	writeJSON(w, http.StatusOK, "application/json", act[len(act)-1].Operation)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, "application/json", map[string]string{"version": Version})
}
