package proxy

import (
	"net/http"
	"strings"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// HeaderName is the request header naming the service a call is for.
const HeaderName = "Atproto-Proxy"

// Service names one service entry of a DID document: "did#id", as written
// in the atproto-proxy header.
type Service struct {
	DID syntax.DID
	ID  string // the entry's id without the '#', e.g. "bsky_appview"
}

// String returns "did#id".
func (s Service) String() string { return string(s.DID) + "#" + s.ID }

// IsZero reports whether s names no service.
func (s Service) IsZero() bool { return s.DID == "" }

// ParseService parses an atproto-proxy header value with the reference
// PDS's rules: exactly one '#', a DID before it, an id after it, no spaces.
// Its errors are 400 InvalidRequest *Error values.
func ParseService(v string) (Service, error) {
	hash := strings.IndexByte(v, '#')
	switch {
	case hash == 0:
		return Service{}, invalidRequest("no did specified in proxy header")
	case hash < 0 || hash == len(v)-1:
		return Service{}, invalidRequest("no service id specified in proxy header")
	case strings.IndexByte(v[hash+1:], '#') >= 0:
		return Service{}, invalidRequest("invalid proxy header format")
	case strings.ContainsAny(v, " \t"):
		return Service{}, invalidRequest("proxy header cannot contain spaces")
	}
	did, err := syntax.ParseDID(v[:hash])
	if err != nil {
		return Service{}, invalidRequest("invalid did in proxy header: %q", v[:hash])
	}
	return Service{DID: did, ID: v[hash+1:]}, nil
}

// Defaults picks the service of a call that has no atproto-proxy header.
// A zero Service means none is configured for those methods.
type Defaults struct {
	// AppView receives the app.bsky.*, chat.bsky.* and com.atproto.*
	// methods not listed below.
	AppView Service
	// Reports receives com.atproto.moderation.createReport.
	Reports Service
	// Moderation receives the tools.ozone.* methods.
	Moderation Service
}

// appViewNamespaces are the NSID prefixes the AppView is the default for.
// Methods of other namespaces are forwarded only to a service the caller
// names.
var appViewNamespaces = []string{"app.bsky.", "chat.bsky.", "com.atproto."}

// For returns the default service of a method, or false when none is
// configured.
func (d Defaults) For(nsid string) (Service, bool) {
	var s Service
	switch {
	case nsid == "com.atproto.moderation.createReport":
		s = d.Reports
	case strings.HasPrefix(nsid, "tools.ozone."):
		s = d.Moderation
	case hasAnyPrefix(nsid, appViewNamespaces):
		s = d.AppView
	}
	return s, !s.IsZero()
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// Target returns the service a request is for: its atproto-proxy header,
// else the method's default. Its errors are *Error values: 400 for a
// malformed header, 501 MethodNotImplemented when no service is configured
// for the method.
func (d Defaults) Target(r *http.Request, nsid string) (Service, error) {
	if v := r.Header.Get(HeaderName); v != "" {
		return ParseService(v)
	}
	s, ok := d.For(nsid)
	if !ok {
		return Service{}, Errorf(http.StatusNotImplemented, "MethodNotImplemented",
			"Method Not Implemented: %s (no service is configured for it; name one with the atproto-proxy header)", nsid)
	}
	return s, nil
}
