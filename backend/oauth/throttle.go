package oauth

import (
	"sync"
	"time"
)

// Failed logins on the authorization page are throttled per account: after
// maxLoginFailures within loginWindow, further attempts are refused until
// the window ends. The count is per instance (in memory).
const (
	maxLoginFailures = 10
	loginWindow      = 10 * time.Minute
	maxThrottled     = 10000 // accounts tracked at once
)

// loginThrottle counts recent failed logins by key.
type loginThrottle struct {
	mu      sync.Mutex
	entries map[string]*failures
}

type failures struct {
	n     int
	since time.Time
}

// blocked reports whether key has used up its failures at now.
func (lt *loginThrottle) blocked(key string, now time.Time) bool {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	f, ok := lt.entries[key]
	return ok && now.Sub(f.since) < loginWindow && f.n >= maxLoginFailures
}

// fail records a failed login of key at now.
func (lt *loginThrottle) fail(key string, now time.Time) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if lt.entries == nil {
		lt.entries = make(map[string]*failures)
	}
	f, ok := lt.entries[key]
	if !ok || now.Sub(f.since) >= loginWindow {
		if len(lt.entries) >= maxThrottled {
			lt.prune(now)
		}
		lt.entries[key] = &failures{n: 1, since: now}
		return
	}
	f.n++
}

// succeed forgets key's failures.
func (lt *loginThrottle) succeed(key string) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	delete(lt.entries, key)
}

// prune drops finished windows, and everything if that is not enough.
func (lt *loginThrottle) prune(now time.Time) {
	for k, f := range lt.entries {
		if now.Sub(f.since) >= loginWindow {
			delete(lt.entries, k)
		}
	}
	if len(lt.entries) >= maxThrottled {
		clear(lt.entries)
	}
}
