package sqlite

import (
	"fmt"
	"testing"

	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/storetest"
)

// TestCheckpointer checks the background checkpoint's connection settings
// and that one round copies the whole log into the database file while the
// store keeps serving what it wrote.
func TestCheckpointer(t *testing.T) {
	s := openTest(t)
	for _, tc := range []struct {
		name, want string
	}{
		{"synchronous", "1"}, // NORMAL: a checkpoint syncs the log first
		{"journal_mode", "wal"},
	} {
		if got := pragma(t, s.ckpt.db, tc.name); got != tc.want {
			t.Errorf("checkpointer: PRAGMA %s = %s, want %s", tc.name, got, tc.want)
		}
	}
	if got := pragma(t, s.writer, "wal_autocheckpoint"); got != fmt.Sprint(writerAutoCheckpoint) {
		t.Errorf("writer: PRAGMA wal_autocheckpoint = %s, want %d", got, writerAutoCheckpoint)
	}

	ctx := t.Context()
	r := &benchRepo{did: "did:plc:checkpoint"}
	var last store.Commit
	for range 50 {
		last = r.commit()
		storetest.Apply(t, s, last)
		r.root = &last.Root
	}
	if s.ckpt.commits.Load() == 0 {
		t.Error("commits were not counted for the checkpointer")
	}
	logPages, copied, err := s.ckpt.checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if logPages == 0 || copied != logPages {
		t.Errorf("checkpoint copied %d of %d log pages, want all", copied, logPages)
	}
	if root, err := s.GetRepoRoot(ctx, r.did); err != nil || root != last.Root {
		t.Fatalf("root after checkpoint = %v, %v; want %v", root, err, last.Root)
	}
}
