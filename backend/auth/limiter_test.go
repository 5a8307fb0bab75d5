package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// setHashHook installs hook for the duration of the test. Tests that use it
// must not run in parallel with other hashing tests.
func setHashHook(t *testing.T, hook func()) {
	t.Helper()
	hashSlotHook = hook
	t.Cleanup(func() { hashSlotHook = nil })
}

// TestHashConcurrencyBounded starts many hashes while the hook holds every
// slot it gets, and records how many were ever inside at once.
func TestHashConcurrencyBounded(t *testing.T) {
	const callers = 8
	var inside, maxInside atomic.Int32
	entered := make(chan struct{}, callers)
	release := make(chan struct{})
	setHashHook(t, func() {
		n := inside.Add(1)
		for {
			m := maxInside.Load()
			if n <= m || maxInside.CompareAndSwap(m, n) {
				break
			}
		}
		entered <- struct{}{}
		<-release
		inside.Add(-1)
	})

	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := HashPassword(context.Background(), "pw")
			errs <- err
		})
	}
	// Wait until every slot is taken; the others must now be queued.
	for range MaxConcurrentHashes {
		<-entered
	}
	if got := len(hashSlots); got != MaxConcurrentHashes {
		t.Fatalf("%d slots taken, want %d", got, MaxConcurrentHashes)
	}
	// Let them through one at a time: each release admits at most one more.
	for range callers {
		release <- struct{}{}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := maxInside.Load(); got != MaxConcurrentHashes {
		t.Fatalf("%d hashes ran at once, want at most (and here exactly) %d", got, MaxConcurrentHashes)
	}
	if len(entered) != callers-MaxConcurrentHashes {
		t.Fatalf("%d callers entered after the first %d, want %d", len(entered), MaxConcurrentHashes, callers-MaxConcurrentHashes)
	}
}

// TestHashWaitHonoursCancellation: with every slot held, a caller whose
// context ends gives up instead of waiting forever.
func TestHashWaitHonoursCancellation(t *testing.T) {
	entered := make(chan struct{}, MaxConcurrentHashes)
	release := make(chan struct{})
	setHashHook(t, func() {
		entered <- struct{}{}
		<-release
	})
	var wg sync.WaitGroup
	for range MaxConcurrentHashes {
		wg.Go(func() { _, _ = HashPassword(context.Background(), "pw") })
	}
	for range MaxConcurrentHashes {
		<-entered
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := VerifyPassword(ctx, "pw", "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY")
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}

	// An already-cancelled context never takes a free slot either.
	close(release)
	wg.Wait()
	if _, err := HashPassword(ctx, "pw"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context with free slots: %v", err)
	}
	if got := len(hashSlots); got != 0 {
		t.Fatalf("%d slots still taken", got)
	}
}
