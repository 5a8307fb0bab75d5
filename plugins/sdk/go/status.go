package pdsplugin

import "errors"

// Host call statuses: the high 32 bits of a host import's answer (the low
// 32 bits are the pending result's length).
const (
	StatusOK       = 0
	StatusNotFound = 1
	StatusDenied   = 2
	StatusFailed   = 3
	StatusQuota    = 4
)

// Errors host calls return.
var (
	ErrNotFound = errors.New("pdsplugin: not found")
	ErrDenied   = errors.New("pdsplugin: capability not granted")
	ErrQuota    = errors.New("pdsplugin: quota exceeded")
)

// HostError is a refusal or failure the host described; errors.Is
// matches it against ErrNotFound, ErrDenied and ErrQuota by status.
type HostError struct {
	Status  uint32
	Message string
}

func (e *HostError) Error() string {
	var base string
	switch e.Status {
	case StatusDenied:
		base = ErrDenied.Error()
	case StatusQuota:
		base = ErrQuota.Error()
	default:
		base = "pdsplugin: host error"
	}
	if e.Message == "" {
		return base
	}
	return base + ": " + e.Message
}

// Is reports whether target is the sentinel of e's status.
func (e *HostError) Is(target error) bool {
	return (target == ErrDenied && e.Status == StatusDenied) || (target == ErrQuota && e.Status == StatusQuota)
}

func statusErr(status uint32, msg []byte) error {
	switch status {
	case StatusOK:
		return nil
	case StatusNotFound:
		return ErrNotFound
	}
	return &HostError{Status: status, Message: string(msg)}
}
