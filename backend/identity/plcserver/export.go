package plcserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/identity"
)

const maxExportCount = 1000

// sequencedOp is an /export line when paging by sequence number.
type sequencedOp struct {
	DID       string             `json:"did"`
	Operation identity.Operation `json:"operation"`
	CID       string             `json:"cid"`
	CreatedAt string             `json:"createdAt"`
	Seq       int                `json:"seq"`
	Type      string             `json:"type"`
}

// handleExport answers GET /export?count=&after= with JSON lines, oldest
// first. As on plc.directory, a numeric after is a sequence number (here:
// the 1-based acceptance order) and the lines carry seq; any other after is
// a timestamp and the lines are audit log entries.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	count, err := exportCount(r.URL.Query().Get("count"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lines, err := s.exportLines(r.URL.Query().Get("after"), count)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/jsonlines")
	w.WriteHeader(http.StatusOK)
	for i, line := range lines {
		if i > 0 {
			_, _ = w.Write([]byte("\n"))
		}
		_, _ = w.Write(line)
	}
}

func exportCount(raw string) (int, error) {
	if raw == "" {
		return maxExportCount, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, badRequest("Invalid count parameter")
	}
	return min(n, maxExportCount), nil
}

func (s *Server) exportLines(after string, count int) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq, err := strconv.Atoi(after); err == nil && seq >= 0 {
		return s.exportBySeq(seq, count)
	}
	var since time.Time
	if after != "" {
		t, err := syntax.ParseDatetimeLenient(after)
		if err != nil {
			return nil, badRequest("Invalid after parameter")
		}
		since = t.Time()
	}
	var out [][]byte
	for _, e := range s.entries {
		if len(out) == count {
			break
		}
		if e.CreatedAt.After(since) {
			b, err := json.Marshal(e)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
	}
	return out, nil
}

func (s *Server) exportBySeq(after, count int) ([][]byte, error) {
	var out [][]byte
	for i := after; i < len(s.entries) && len(out) < count; i++ {
		e := s.entries[i]
		b, err := json.Marshal(sequencedOp{
			DID: e.DID.String(), Operation: e.Operation, CID: e.CID,
			CreatedAt: e.CreatedAt.UTC().Format(identity.TimeFormat), Seq: i + 1, Type: "sequenced_op",
		})
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
