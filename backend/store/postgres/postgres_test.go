package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/postgres"
	"github.com/hearthpds/hearth/backend/store/postgres/pgtest"
	"github.com/hearthpds/hearth/backend/store/storetest"
)

// openAt opens a store on dsn, closed at cleanup.
func openAt(t testing.TB, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// openTest opens a store on a fresh schema.
func openTest(t testing.TB) *postgres.Store {
	t.Helper()
	return openAt(t, pgtest.URL(t))
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t) })
}

func TestOpenBadURL(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://user:secret@[bad", nil)
	if err == nil {
		t.Fatal("Open accepted a malformed URL")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Fatalf("the error quotes the password: %v", err)
	}
}

// TestConcurrentOpen starts several stores on one fresh schema at once:
// the advisory lock lets exactly one migrate while the others wait, and
// every one ends at the same version.
func TestConcurrentOpen(t *testing.T) {
	dsn := pgtest.URL(t)
	const n = 6
	errs := make(chan error, n)
	stores := make(chan *postgres.Store, n)
	for range n {
		go func() {
			s, err := postgres.Open(t.Context(), dsn, nil)
			errs <- err
			stores <- s
		}()
	}
	var versions []int64
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		s := <-stores
		t.Cleanup(func() { _ = s.Close() })
		v, err := s.SchemaVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	for _, v := range versions {
		if v != versions[0] || v < 1 {
			t.Fatalf("schema versions after concurrent opens: %v", versions)
		}
	}
}

// TestCollation checks that the text keys order bytewise (COLLATE "C"),
// as SQLite's BINARY collation does, whatever the database's locale: upper
// case before lower case, punctuation by code point.
func TestCollation(t *testing.T) {
	s := openTest(t)
	rkeys := []string{"b", "B", "a-b", "a.b", "a_b", "a~b", "Z", "3"}
	g := storetest.NewCommit("did:plc:collation", nil)
	for _, rk := range rkeys {
		storetest.PutRecord(&g, "app.test.record", rk, []byte(rk))
	}
	storetest.Apply(t, s, g)
	recs, err := s.ListRecords(t.Context(), "did:plc:collation", "app.test.record", store.ListRecordsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.RKey)
	}
	want := "3 B Z a-b a.b a_b a~b b" // bytewise
	if strings.Join(got, " ") != want {
		t.Fatalf("rkeys in order: %q, want %q", strings.Join(got, " "), want)
	}
}
