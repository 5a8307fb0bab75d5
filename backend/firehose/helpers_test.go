package firehose_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/store"
)

// fixture is a sequencer over a real store, served on loopback.
type fixture struct {
	st  store.Store
	seq *firehose.Sequencer
	url string
}

func newFixture(t *testing.T, st store.Store, opts firehose.Options) *fixture {
	t.Helper()
	opts.Log = st
	if opts.PollInterval == 0 {
		opts.PollInterval = 10 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	seq := firehose.NewSequencer(opts)
	if err := seq.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(seq)
	t.Cleanup(func() {
		if err := seq.Close(); err != nil {
			t.Error(err)
		}
		srv.Close()
	})
	return &fixture{st: st, seq: seq, url: srv.URL}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// identityEvent is a small event; encode, when set, runs inside the
// appending transaction (to delay its commit).
func identityEvent(did string, at time.Time, encode func()) store.Event {
	return store.Event{DID: did, Type: firehose.TypeIdentity, Time: at, Encode: func(seq int64) ([]byte, error) {
		if encode != nil {
			encode()
		}
		return firehose.EncodeFrame(firehose.TypeIdentity, &firehose.Identity{Did: did, Seq: seq, Time: firehose.FormatTime(at)})
	}}
}

// bigEvent is an #account event padded to size bytes (through its DID
// field, which the firehose does not interpret).
func bigEvent(size int) store.Event {
	pad := make([]byte, size/2)
	_, _ = rand.Read(pad)
	did := "did:plc:" + string(hexBytes(pad))
	now := time.Now()
	return store.Event{DID: "did:plc:big", Type: firehose.TypeAccount, Time: now, Encode: func(seq int64) ([]byte, error) {
		return firehose.EncodeFrame(firehose.TypeAccount, &firehose.Account{Did: did, Seq: seq, Active: true, Time: firehose.FormatTime(now)})
	}}
}

func hexBytes(b []byte) []byte {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return out
}

func appendEvents(t testing.TB, st store.Store, evs ...store.Event) []int64 {
	t.Helper()
	seqs, err := st.AppendEvents(context.Background(), evs)
	if err != nil {
		t.Error(err)
	}
	return seqs
}

func subscribe(t *testing.T, url string, cursor *int64) *firehose.Subscription {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := firehose.Subscribe(ctx, url, cursor, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

func ptr(v int64) *int64 { return &v }

// readSeqs reads event frames until one with seq last arrives and returns
// their seqs. It fails on any other frame, or after 20 seconds.
func readSeqs(t *testing.T, sub *firehose.Subscription, last int64) []int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var seqs []int64
	for {
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("after %d events: %v", len(seqs), err)
		}
		if m.Seq == 0 {
			t.Fatalf("unexpected frame %+v (info %+v, error %+v)", m.Header, m.Info, m.Error)
		}
		seqs = append(seqs, m.Seq)
		if m.Seq >= last {
			return seqs
		}
	}
}

// checkRun fails unless seqs are exactly from, from+1, ..., to.
func checkRun(t *testing.T, name string, seqs []int64, from, to int64) {
	t.Helper()
	if int64(len(seqs)) != to-from+1 {
		t.Errorf("%s: got %d events, want %d (%d..%d)", name, len(seqs), to-from+1, from, to)
	}
	for i, s := range seqs {
		if s != from+int64(i) {
			t.Fatalf("%s: event %d has seq %d, want %d (gap or duplicate)", name, i, s, from+int64(i))
		}
	}
}

// expectError reads frames until an error frame, which must be name, and
// then the close, which must be a policy violation.
func expectError(t *testing.T, sub *firehose.Subscription, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("no %s error frame: %v", name, err)
		}
		if m.Error == nil {
			continue
		}
		if m.Error.Error != name || m.Error.Message == "" {
			t.Fatalf("error frame = %+v, want %s", m.Error, name)
		}
		break
	}
	_, err := sub.Next(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusPolicyViolation {
		t.Fatalf("close after %s: %v (status %d), want 1008", name, err, got)
	}
}
