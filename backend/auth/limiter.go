package auth

import (
	"context"
	"fmt"
)

// hashSlots bounds concurrent Argon2id computations process-wide: a send
// takes a slot, a receive frees it.
var hashSlots = make(chan struct{}, MaxConcurrentHashes)

// hashSlotHook, when set (tests only), runs inside the slot before hashing.
var hashSlotHook func()

// acquireHashSlot waits for a hashing slot or for ctx to be done. An
// already-cancelled ctx never takes a slot.
func acquireHashSlot(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("auth: waiting to hash a password: %w", err)
	}
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("auth: waiting to hash a password: %w", ctx.Err())
	}
	if hashSlotHook != nil {
		hashSlotHook()
	}
	return func() { <-hashSlots }, nil
}
