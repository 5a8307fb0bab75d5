package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/hearthpds/hearth/backend/store"
)

// testPluginKV: get, put, overwrite, list by prefix and cursor, delete,
// namespaces kept apart, wipe.
func testPluginKV(t *testing.T, s store.Store) {
	ctx := t.Context()
	const a, b = "dev.example.a", "dev.example.b"
	if _, err := s.GetPluginKV(ctx, a, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get of a missing key = %v", err)
	}
	for _, k := range []string{"log/2", "log/1", "log/3", "other", "lo"} {
		if err := s.PutPluginKV(ctx, a, k, []byte("v-"+k), 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutPluginKV(ctx, a, "other", []byte("new"), 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPluginKV(ctx, b, "other", []byte("b's"), 1<<20); err != nil {
		t.Fatal(err)
	}
	if v, err := s.GetPluginKV(ctx, a, "other"); err != nil || string(v) != "new" {
		t.Fatalf("get = %q, %v", v, err)
	}
	if v, err := s.GetPluginKV(ctx, b, "other"); err != nil || string(v) != "b's" {
		t.Fatalf("get of b = %q, %v", v, err)
	}
	keys, err := s.ListPluginKV(ctx, a, "log/", "", 10)
	if err != nil || !slices.Equal(keys, []string{"log/1", "log/2", "log/3"}) {
		t.Fatalf("list = %v, %v", keys, err)
	}
	keys, err = s.ListPluginKV(ctx, a, "log/", "log/1", 1)
	if err != nil || !slices.Equal(keys, []string{"log/2"}) {
		t.Fatalf("list after log/1 = %v, %v", keys, err)
	}
	if err := s.DeletePluginKV(ctx, a, "log/2"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePluginKV(ctx, a, "never"); err != nil {
		t.Fatal(err)
	}
	keys, _ = s.ListPluginKV(ctx, a, "", "", 10)
	if !slices.Equal(keys, []string{"lo", "log/1", "log/3", "other"}) {
		t.Fatalf("list all = %v", keys)
	}
	if err := s.WipePluginKV(ctx, a); err != nil {
		t.Fatal(err)
	}
	if keys, _ = s.ListPluginKV(ctx, a, "", "", 10); len(keys) != 0 {
		t.Fatalf("after wipe: %v", keys)
	}
	if _, err := s.GetPluginKV(ctx, b, "other"); err != nil {
		t.Fatalf("wipe of a touched b: %v", err)
	}
}

// testPluginKVQuota: keys and values count; an overwrite counts once;
// concurrent puts never exceed the quota together.
func testPluginKVQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	const p = "dev.example.q"
	if err := s.PutPluginKV(ctx, p, "aa", make([]byte, 8), 20); err != nil { // 10 bytes
		t.Fatal(err)
	}
	if err := s.PutPluginKV(ctx, p, "aa", make([]byte, 18), 20); err != nil { // replaces: 20
		t.Fatal(err)
	}
	if err := s.PutPluginKV(ctx, p, "b", nil, 20); !errors.Is(err, store.ErrPluginQuota) {
		t.Fatalf("put past the quota = %v", err)
	}
	if _, err := s.GetPluginKV(ctx, p, "b"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("refused put was written: %v", err)
	}
	const q = "dev.example.race"
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = s.PutPluginKV(ctx, q, fmt.Sprintf("k%02d", i), make([]byte, 97), 400) // 100 bytes each
		}()
	}
	wg.Wait()
	keys, err := s.ListPluginKV(ctx, q, "", "", 100)
	if err != nil || len(keys) != 4 {
		t.Fatalf("concurrent puts left %d keys (%v); want exactly 4 under a 400-byte quota", len(keys), err)
	}
}
