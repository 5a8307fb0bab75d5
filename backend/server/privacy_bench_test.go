package server_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearthpds/hearth/internal/testpds"
)

// benchSeq numbers the rkeys of benchmark writes, so that no two rounds
// write the same one.
var benchSeq atomic.Int64

// benchRecords is how many records each get benchmark cycles through.
const benchRecords = 200

// benchText is the text of a 1 KiB record value.
var benchText = strings.Repeat("x", 1024-len(`{"$type":"com.example.bench","text":""}`))

// BenchmarkPrivateRecords measures, over loopback HTTP on SQLite, one
// client after another: public com.atproto.repo.createRecord and getRecord
// of a 1 KiB record, next to dev.hearthpds.private.putRecord and
// getEncryptedRecord of the same record with the owner's client sealing
// and opening it (remote.Owner); built with -tags hearth_nullcipher, the
// same private path again with a null cipher, so that what encryption
// adds shows (acceptance 8). It reports operations per second and the
// p50/p99 latency; docs/performance.md quotes them.
//
//	go test -tags hearth_nullcipher -run '^$' -bench PrivateRecords ./backend/server/
func BenchmarkPrivateRecords(b *testing.B) {
	ctx := context.Background()
	pds := testpds.Start(b, testpds.Options{})
	alice := prNewAccount(b, pds, "alice.test")
	own := prNewNet(pds.PLCURL).owner(alice)
	value := prNote(b, map[string]any{"$type": "com.example.bench", "text": benchText})
	public := func(i int) error {
		st, out := alice.c.Do("com.atproto.repo.createRecord", "", map[string]any{"repo": alice.did, "collection": "com.example.bench",
			"rkey": fmt.Sprintf("b%07d", i), "record": value})
		if st != 200 {
			return fmt.Errorf("createRecord: %d %v", st, out)
		}
		return nil
	}
	getPublic := func(i int) error {
		q := url.Values{"repo": {alice.did}, "collection": {"com.example.bench"}, "rkey": {fmt.Sprintf("b%07d", i%benchRecords)}}
		if st, out := alice.c.Do("com.atproto.repo.getRecord", q.Encode(), nil); st != 200 {
			return fmt.Errorf("getRecord: %d %v", st, out)
		}
		return nil
	}
	private := func(coll string) (put, get func(int) error) {
		put = func(i int) error {
			_, err := own.Put(ctx, coll, fmt.Sprintf("b%07d", i), value)
			return err
		}
		get = func(i int) error {
			_, err := own.Get(ctx, coll, fmt.Sprintf("b%07d", i%benchRecords))
			return err
		}
		return put, get
	}
	benchOps(b, "public/createRecord", public, nil)
	benchOps(b, "public/getRecord", getPublic, public)
	put, get := private("com.example.benchprivate")
	benchOps(b, "private/putRecord", put, nil)
	benchOps(b, "private/getEncryptedRecord", get, put)
	if setNullCipher == nil {
		b.Log("the null-cipher variants need -tags hearth_nullcipher")
		return
	}
	setNullCipher(true)
	defer setNullCipher(false)
	put, get = private("com.example.benchnull")
	benchOps(b, "nullcipher/putRecord", put, nil)
	benchOps(b, "nullcipher/getEncryptedRecord", get, put)
}

// benchOps runs op(i) b.N times, after 50 warm-up calls (and, for reads,
// fill writing the records they cycle through), and reports operations
// per second and the p50/p99 latency.
func benchOps(b *testing.B, name string, op, fill func(int) error) {
	filled := fill == nil
	b.Run(name, func(b *testing.B) {
		for i := 0; !filled && i < benchRecords; i++ {
			if err := fill(i); err != nil {
				b.Fatal(err)
			}
		}
		filled = true
		base := int(benchSeq.Add(10_000_000)) // fresh rkeys for each round of writes
		for i := 0; i < 50; i++ {
			if err := op(base + i); err != nil {
				b.Fatalf("warm-up: %v", err)
			}
		}
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			start := time.Now()
			if err := op(base + 100 + i); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
	})
}
