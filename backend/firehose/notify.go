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

func (s *notifyingStore) ApplyCommits(ctx context.Context, commits []store.Commit) ([]store.CommitResult, error) {
	defer s.n.Notify()
	return s.Store.ApplyCommits(ctx, commits)
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
