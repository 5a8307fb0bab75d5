package auth

import (
	"bytes"
	"context"
	"sort"
	"sync"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// fakeSessions is an in-memory store.Sessions with the contract's semantics,
// for unit tests until the real drivers land. beforeRotate, when set, runs
// at the start of RotateRefreshToken (outside the lock).
type fakeSessions struct {
	mu           sync.Mutex
	tokens       map[string]store.RefreshToken
	apps         map[string]store.AppPassword // key: did + "\x00" + name
	beforeRotate func(oldID string)
}

var _ store.Sessions = (*fakeSessions)(nil)

func newFakeSessions() *fakeSessions {
	return &fakeSessions{tokens: map[string]store.RefreshToken{}, apps: map[string]store.AppPassword{}}
}

func (f *fakeSessions) CreateRefreshToken(_ context.Context, t store.RefreshToken) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.tokens[t.ID]; ok {
		return store.ErrConflict
	}
	f.tokens[t.ID] = t
	return nil
}

func (f *fakeSessions) GetRefreshToken(_ context.Context, id string) (store.RefreshToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tokens[id]
	if !ok {
		return store.RefreshToken{}, store.ErrNotFound
	}
	return t, nil
}

func (f *fakeSessions) RotateRefreshToken(_ context.Context, oldID string, graceUntil time.Time, next store.RefreshToken) error {
	if f.beforeRotate != nil {
		f.beforeRotate(oldID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.tokens[oldID]
	if !ok {
		return store.ErrNotFound
	}
	if old.NextID != "" {
		return store.ErrConflict
	}
	if _, ok := f.tokens[next.ID]; ok {
		return store.ErrConflict
	}
	old.NextID, old.ExpiresAt = next.ID, graceUntil
	f.tokens[oldID] = old
	f.tokens[next.ID] = next
	return nil
}

func (f *fakeSessions) DeleteRefreshToken(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.tokens[id]; !ok {
		return store.ErrNotFound
	}
	delete(f.tokens, id)
	return nil
}

func (f *fakeSessions) DeleteExpiredRefreshTokens(_ context.Context, now time.Time) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n int64
	for id, t := range f.tokens {
		if t.ExpiresAt.Before(now) {
			delete(f.tokens, id)
			n++
		}
	}
	return n, nil
}

func (f *fakeSessions) DeleteAccountRefreshTokens(_ context.Context, did string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n int64
	for id, t := range f.tokens {
		if t.DID == did {
			delete(f.tokens, id)
			n++
		}
	}
	return n, nil
}

func (f *fakeSessions) CreateAppPassword(_ context.Context, p store.AppPassword) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := p.DID + "\x00" + p.Name
	if _, ok := f.apps[k]; ok {
		return store.ErrConflict
	}
	f.apps[k] = p
	return nil
}

func (f *fakeSessions) ListAppPasswords(_ context.Context, did string) ([]store.AppPassword, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []store.AppPassword
	for _, p := range f.apps {
		if p.DID == did {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

func (f *fakeSessions) GetAppPasswordByHash(_ context.Context, did string, hash []byte) (store.AppPassword, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.apps {
		if p.DID == did && bytes.Equal(p.Hash, hash) {
			return p, nil
		}
	}
	return store.AppPassword{}, store.ErrNotFound
}

func (f *fakeSessions) RevokeAppPassword(_ context.Context, did, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := did + "\x00" + name
	if _, ok := f.apps[k]; !ok {
		return store.ErrNotFound
	}
	delete(f.apps, k)
	for id, t := range f.tokens {
		if t.DID == did && t.AppPasswordName == name {
			delete(f.tokens, id)
		}
	}
	return nil
}

// count returns how many refresh tokens are stored.
func (f *fakeSessions) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.tokens)
}
