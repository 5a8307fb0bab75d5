package firehose

import (
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// IdentityEvent is the #identity event of an account (its handle, or none
// when handle is ""), to append with the change that caused it.
func IdentityEvent(did, handle string, now time.Time) store.Event {
	body := &Identity{Did: did, Time: FormatTime(now)}
	if handle != "" {
		body.Handle = &handle
	}
	return store.Event{DID: did, Type: TypeIdentity, Time: now, Encode: func(seq int64) ([]byte, error) {
		body.Seq = seq
		return EncodeFrame(TypeIdentity, body)
	}}
}

// AccountEvent is the #account event of an account's hosting status:
// active for "active", else inactive with the status ("deactivated",
// "takendown", "deleted", ...).
func AccountEvent(did string, status store.AccountStatus, now time.Time) store.Event {
	body := &Account{Did: did, Active: status == store.StatusActive, Time: FormatTime(now)}
	if status != store.StatusActive {
		st := string(status)
		body.Status = &st
	}
	return store.Event{DID: did, Type: TypeAccount, Time: now, Encode: func(seq int64) ([]byte, error) {
		body.Seq = seq
		return EncodeFrame(TypeAccount, body)
	}}
}
