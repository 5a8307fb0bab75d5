package repo_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// benchFixture is a repo engine over a real store with one repo.
func benchFixture(b *testing.B, open func(testing.TB) store.Store) (*fixture, string) {
	b.Helper()
	st := open(b)
	f := &fixture{st: st, keys: &keyring{keys: map[string]atcrypto.PrivateKey{}}}
	f.engine = repo.NewEngine(repo.Config{Store: st, Keys: f.keys, Logger: slog.New(slog.DiscardHandler)})
	b.Cleanup(f.engine.Close)
	return f, f.newRepoB(b)
}

// newRepoB is newRepo for benchmarks.
func (f *fixture) newRepoB(b *testing.B) string {
	b.Helper()
	did := "did:plc:benchbenchbenchbenchbench"
	key, err := atcrypto.GeneratePrivateKeyK256()
	if err != nil {
		b.Fatal(err)
	}
	f.keys.keys[did] = key
	g, err := f.engine.Genesis(context.Background(), did, key)
	if err != nil {
		b.Fatal(err)
	}
	if res, err := f.st.ApplyCommits(context.Background(), []store.Commit{*g}); err != nil || res[0].Err != nil {
		b.Fatalf("genesis: %v %v", err, res)
	}
	return did
}

// fill adds n records in commits of 200.
func fill(b *testing.B, f *fixture, did string, n int) {
	b.Helper()
	for i := 0; i < n; i += repo.MaxWrites {
		var ws []repo.Write
		for j := i; j < min(i+repo.MaxWrites, n); j++ {
			ws = append(ws, create("app.bsky.feed.post", fmt.Sprintf("f%07d", j), post(fmt.Sprint(j))))
		}
		if _, err := f.engine.Apply(context.Background(), did, ws, repo.ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func runBackends(b *testing.B, fn func(b *testing.B, open func(testing.TB) store.Store)) {
	for _, be := range testdb.Backends() {
		b.Run(be.Name, func(b *testing.B) { fn(b, be.Open) })
	}
}

// BenchmarkCommit1 measures a commit of one create, sequentially: encode,
// validate (none here), MST insert, sign, group-commit of one.
func BenchmarkCommit1(b *testing.B) {
	runBackends(b, func(b *testing.B, open func(testing.TB) store.Store) {
		f, did := benchFixture(b, open)
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			w := create("app.bsky.feed.post", fmt.Sprintf("b%09d", i), post("bench"))
			if _, err := f.engine.Apply(ctx, did, []repo.Write{w}, repo.ApplyOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCommit200 measures a commit of 200 creates (applyWrites' max).
func BenchmarkCommit200(b *testing.B) {
	runBackends(b, func(b *testing.B, open func(testing.TB) store.Store) {
		f, did := benchFixture(b, open)
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			ws := make([]repo.Write, repo.MaxWrites)
			for j := range ws {
				ws[j] = create("app.bsky.feed.post", fmt.Sprintf("c%06d%03d", i, j), post("bench"))
			}
			if _, err := f.engine.Apply(ctx, did, ws, repo.ApplyOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*repo.MaxWrites)/b.Elapsed().Seconds(), "records/s")
	})
}

// BenchmarkMSTUpdate100k measures one create commit on a repo that already
// holds 100,000 records (the tree is cached after the first write).
func BenchmarkMSTUpdate100k(b *testing.B) {
	runBackends(b, func(b *testing.B, open func(testing.TB) store.Store) {
		f, did := benchFixture(b, open)
		fill(b, f, did, 100_000)
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			w := create("app.bsky.feed.post", fmt.Sprintf("u%09d", i), post("bench"))
			if _, err := f.engine.Apply(ctx, did, []repo.Write{w}, repo.ApplyOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkExportCAR100k measures exporting a 100,000-record repo.
func BenchmarkExportCAR100k(b *testing.B) {
	runBackends(b, func(b *testing.B, open func(testing.TB) store.Store) {
		f, did := benchFixture(b, open)
		fill(b, f, did, 100_000)
		ctx := context.Background()
		b.ResetTimer()
		for b.Loop() {
			if _, err := f.engine.ExportCAR(ctx, did, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
}
