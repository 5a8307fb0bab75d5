package firehose

import (
	"context"

	"github.com/hearthpds/hearth/backend/store"
)

// NotifyingStore returns st with every method that appends events (commits,
// account changes, takedowns, imports) followed by n.Notify() once it
// returns, so the sequencer reads the new events at once instead of at its
// next poll. Wrapping the store is the one place that catches every event
// producer; calling Notify from each service is the alternative. Notify
// runs whatever the outcome: a spurious wake-up costs one read.
func NotifyingStore(st store.Store, n Notifier) store.Store {
	return &notifyingStore{Store: st, n: n}
}

type notifyingStore struct {
	store.Store
	n Notifier
}

// Unwrap returns the wrapped store, so that callers can reach the optional
// interfaces it implements (such as repo.AccountsVersioner).
func (s *notifyingStore) Unwrap() store.Store { return s.Store }

// Deliverer is a Notifier that can also take the events a transaction of
// this process committed, frames included (see Sequencer.Deliver).
type Deliverer interface {
	Notifier
	Deliver(events []store.StoredEvent)
}

// ApplyCommits lands the commits and hands their events to the sequencer:
// it keeps each frame its Encode built inside the transaction, and once the
// transaction has committed, passes those of the commits that landed to
// Deliver, so that the sequencer does not read back what was just written
// (that read was a twentieth of a write's CPU). A frame of a failed or
// refused commit is never passed on.
func (s *notifyingStore) ApplyCommits(ctx context.Context, commits []store.Commit) ([]store.CommitResult, error) {
	d, ok := s.n.(Deliverer)
	if !ok {
		defer s.n.Notify()
		return s.Store.ApplyCommits(ctx, commits)
	}
	captured := make([]store.StoredEvent, len(commits))
	wrapped := make([]store.Commit, len(commits))
	copy(wrapped, commits)
	for i := range wrapped {
		ev := wrapped[i].Event
		if ev == nil || ev.Encode == nil {
			continue
		}
		e, encode, out := *ev, ev.Encode, &captured[i]
		e.Encode = func(seq int64) ([]byte, error) {
			body, err := encode(seq)
			if err == nil {
				*out = store.StoredEvent{Seq: seq, DID: e.DID, Type: e.Type, Time: e.Time, Body: body}
			}
			return body, err
		}
		wrapped[i].Event = &e
	}
	results, err := s.Store.ApplyCommits(ctx, wrapped)
	if err != nil || len(results) != len(commits) {
		s.n.Notify()
		return results, err
	}
	landed := make([]store.StoredEvent, 0, len(commits))
	for i, r := range results {
		if r.Err == nil && r.Seq != 0 && captured[i].Seq == r.Seq && captured[i].Body != nil {
			landed = append(landed, captured[i])
		}
	}
	d.Deliver(landed)
	return results, nil
}

func (s *notifyingStore) CreateAccount(ctx context.Context, a store.NewAccount) ([]int64, error) {
	defer s.n.Notify()
	return s.Store.CreateAccount(ctx, a)
}

func (s *notifyingStore) AppendEvents(ctx context.Context, events []store.Event) ([]int64, error) {
	defer s.n.Notify()
	return s.Store.AppendEvents(ctx, events)
}

func (s *notifyingStore) UpdateHandle(ctx context.Context, did, handle string, events []store.Event) ([]int64, error) {
	defer s.n.Notify()
	return s.Store.UpdateHandle(ctx, did, handle, events)
}

func (s *notifyingStore) SetAccountStatus(ctx context.Context, did string, status store.AccountStatus, events []store.Event) ([]int64, error) {
	defer s.n.Notify()
	return s.Store.SetAccountStatus(ctx, did, status, events)
}

func (s *notifyingStore) DeleteAccount(ctx context.Context, did string, events []store.Event) ([]int64, error) {
	defer s.n.Notify()
	return s.Store.DeleteAccount(ctx, did, events)
}

func (s *notifyingStore) SetTakedown(ctx context.Context, subj store.Subject, ref string, events []store.Event) ([]int64, error) {
	defer s.n.Notify()
	return s.Store.SetTakedown(ctx, subj, ref, events)
}

func (s *notifyingStore) ImportRepo(ctx context.Context, imp store.RepoImport) (int64, error) {
	defer s.n.Notify()
	return s.Store.ImportRepo(ctx, imp)
}
