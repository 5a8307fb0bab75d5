package plcserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hearthpds/hearth/backend/identity"
)

// fileVersion is the version of the persistence file's format.
const fileVersion = 1

// stateFile is the persistence file: every operation in acceptance order,
// each an audit log entry.
type stateFile struct {
	Version int                 `json:"version"`
	Entries []identity.LogEntry `json:"entries"`
}

// commit appends entry, marks the given positions of its DID's log
// nullified, and persists; if persisting fails, the change is undone.
// s.mu must be held.
func (s *Server) commit(entry identity.LogEntry, nullify []int) error {
	idx := s.byDID[entry.DID]
	for _, p := range nullify {
		s.entries[idx[p]].Nullified = true
	}
	s.entries = append(s.entries, entry)
	s.byDID[entry.DID] = append(idx, len(s.entries)-1)
	if err := s.save(); err != nil {
		s.entries = s.entries[:len(s.entries)-1]
		s.byDID[entry.DID] = idx
		for _, p := range nullify {
			s.entries[idx[p]].Nullified = false
		}
		if len(idx) == 0 {
			delete(s.byDID, entry.DID)
		}
		return err
	}
	return nil
}

// load reads s.path, if set and present, and verifies each DID's log.
func (s *Server) load() error {
	if s.path == "" {
		return nil
	}
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("plc stand-in: read %s: %w", s.path, err)
	}
	var f stateFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("plc stand-in: parse %s: %w", s.path, err)
	}
	if f.Version != fileVersion {
		return fmt.Errorf("plc stand-in: %s: unsupported format version %d", s.path, f.Version)
	}
	s.entries = f.Entries
	for i, e := range s.entries {
		s.byDID[e.DID] = append(s.byDID[e.DID], i)
	}
	return s.verifyAll()
}

func (s *Server) verifyAll() error {
	for did := range s.byDID {
		if err := identity.VerifyAuditLog(s.historyLocked(did)); err != nil {
			return fmt.Errorf("plc stand-in: %s: log of %s: %w", s.path, did, err)
		}
	}
	return nil
}

// save writes every entry to s.path through a temporary file in the same
// directory, synced and renamed over the old file. s.mu must be held.
func (s *Server) save() error {
	if s.path == "" {
		return nil
	}
	b, err := json.Marshal(stateFile{Version: fileVersion, Entries: s.entries})
	if err != nil {
		return fmt.Errorf("plc stand-in: encode state: %w", err)
	}
	if err := writeFileAtomic(s.path, b); err != nil {
		return fmt.Errorf("plc stand-in: save %s: %w", s.path, err)
	}
	return nil
}

func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
