package storetest

import (
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

func testEventLog(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.OldestEvent(ctx)
	notFound(t, err)
	events, err := s.ListEvents(ctx, 0, 10)
	must(t, err)
	equal(t, "events of an empty log", len(events), 0)
	seqs, err := s.AppendEvents(ctx, nil)
	must(t, err)
	equal(t, "seqs of no events", len(seqs), 0)

	var encoded []int64
	in := []store.Event{NewEvent(alice, "#identity"), NewEvent(bob, "#account"), NewEvent(alice, "#sync")}
	for i := range in {
		enc := in[i].Encode
		in[i].Encode = func(seq int64) ([]byte, error) {
			encoded = append(encoded, seq)
			return enc(seq)
		}
	}
	seqs, err = s.AppendEvents(ctx, in)
	must(t, err)
	equalSlice(t, "seqs", seqs, []int64{1, 2, 3})
	equalSlice(t, "seqs Encode received", encoded, seqs)

	events, err = s.ListEvents(ctx, 0, 2)
	must(t, err)
	equal(t, "page 1", len(events), 2)
	for i, e := range events {
		equal(t, "seq", e.Seq, seqs[i])
		equal(t, "did", e.DID, in[i].DID)
		equal(t, "type", e.Type, in[i].Type)
		equalBytes(t, "body", e.Body, EventBody(in[i].DID, in[i].Type, e.Seq))
	}
	events, err = s.ListEvents(ctx, 2, 10)
	must(t, err)
	equal(t, "page 2", len(events), 1)
	equal(t, "page 2 seq", events[0].Seq, 3)
	events, _ = s.ListEvents(ctx, 3, 10)
	equal(t, "past the end", len(events), 0)

	oldest, err := s.OldestEvent(ctx)
	must(t, err)
	equal(t, "oldest", oldest.Seq, 1)
	equal(t, "LatestSeq", latestSeq(t, s), 3)
}

func testEventsNoGaps(t *testing.T, s store.Store) {
	ctx := t.Context()
	var seqs []int64
	g := NewCommit(alice, nil)
	quiet := NewCommit(bob, nil)
	quiet.Event = nil
	results := Apply(t, s, g, quiet)
	equal(t, "seq of a commit without event", results[1].Seq, 0)
	seqs = append(seqs, results[0].Seq)

	more, err := s.AppendEvents(ctx, []store.Event{NewEvent(alice, "#identity")})
	must(t, err)
	seqs = append(seqs, more...)

	stale := NewCommit(carol, &g.Root) // carol has no repo: refused
	c1 := NewCommit(alice, &g.Root)
	results, err = s.ApplyCommits(ctx, []store.Commit{stale, c1})
	must(t, err)
	mustBe(t, results[0].Err, store.ErrRootMismatch)
	seqs = append(seqs, results[1].Seq)

	_, err = s.AppendEvents(ctx, []store.Event{FailingEvent(alice, "#account")})
	mustBe(t, err, ErrEncode)
	more, err = s.CreateAccount(ctx, NewAccount(carol, "carol.test"))
	must(t, err)
	seqs = append(seqs, more...)

	equalSlice(t, "assigned seqs", seqs, seqRange(1, 6))
	equalSlice(t, "stored seqs", eventSeqs(t, s), seqRange(1, 6))
	equal(t, "LatestSeq", latestSeq(t, s), 6)
}

func testEventRetention(t *testing.T, s store.Store) {
	ctx := t.Context()
	var in []store.Event
	for i := range 4 {
		ev := NewEvent(alice, "#identity")
		ev.Time = base.Add(time.Duration(i) * time.Hour)
		in = append(in, ev)
	}
	_, err := s.AppendEvents(ctx, in)
	must(t, err)

	n, err := s.DeleteEventsBefore(ctx, base.Add(90*time.Minute))
	must(t, err)
	equal(t, "deleted", n, 2)
	oldest, err := s.OldestEvent(ctx)
	must(t, err)
	equal(t, "oldest", oldest.Seq, 3)
	equalSlice(t, "left", eventSeqs(t, s), []int64{3, 4})

	n, err = s.DeleteEventsBefore(ctx, base.Add(24*time.Hour))
	must(t, err)
	equal(t, "deleted", n, 2)
	_, err = s.OldestEvent(ctx)
	notFound(t, err)
	equal(t, "LatestSeq survives an empty log", latestSeq(t, s), 4)
	seqs, err := s.AppendEvents(ctx, []store.Event{NewEvent(alice, "#identity")})
	must(t, err)
	equalSlice(t, "next seq", seqs, []int64{5})

	// Times out of seq order (a group commit stamps its own times): the
	// log is cut as a prefix of seqs, never leaving a hole.
	var skewed []store.Event
	for _, h := range []int{30, 10, 20} {
		ev := NewEvent(alice, "#identity")
		ev.Time = base.Add(time.Duration(h) * time.Hour)
		skewed = append(skewed, ev)
	}
	_, err = s.AppendEvents(ctx, skewed) // seqs 6, 7, 8
	must(t, err)
	_, err = s.DeleteEventsBefore(ctx, base.Add(15*time.Hour)) // only seq 7 is older
	must(t, err)
	equalSlice(t, "left after a skewed cut", eventSeqs(t, s), []int64{8})
}
