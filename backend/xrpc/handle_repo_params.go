package xrpc

import (
	"sync"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// Validating record keys and NSIDs with indigo's regular expressions was
// a twentieth of a getRecord's CPU. Record keys are checked here with a
// loop equivalent to syntax.ParseRecordKey; valid NSIDs, of which a server
// sees few, are remembered.

// validRecordKey reports whether s is a valid record key: 1 to 512
// characters of [a-zA-Z0-9_~.:-], not "." or "..", as syntax.ParseRecordKey
// decides.
func validRecordKey(s string) bool {
	if len(s) == 0 || len(s) > 512 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_' || c == '~' || c == '.' || c == ':' || c == '-':
		default:
			return false
		}
	}
	return true
}

// maxKnownNSIDs bounds the NSIDs remembered as valid.
const maxKnownNSIDs = 1024

var knownNSIDs struct {
	sync.RWMutex
	m map[string]struct{}
}

// validNSID reports whether s is a valid NSID, remembering the first
// maxKnownNSIDs valid ones.
func validNSID(s string) bool {
	knownNSIDs.RLock()
	_, ok := knownNSIDs.m[s]
	knownNSIDs.RUnlock()
	if ok {
		return true
	}
	if _, err := syntax.ParseNSID(s); err != nil {
		return false
	}
	knownNSIDs.Lock()
	defer knownNSIDs.Unlock()
	if knownNSIDs.m == nil {
		knownNSIDs.m = make(map[string]struct{})
	}
	if len(knownNSIDs.m) < maxKnownNSIDs {
		knownNSIDs.m[s] = struct{}{}
	}
	return true
}
