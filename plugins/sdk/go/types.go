package pdsplugin

import "strings"

// Log levels.
const (
	LevelDebug = 0
	LevelInfo  = 1
	LevelWarn  = 2
	LevelError = 3
)

// HTTPRequest is an outgoing request (capability http:fetch).
type HTTPRequest struct {
	Method  string
	URL     string
	Headers map[string]string
	Body    []byte
}

// HTTPResponse is the host's answer.
type HTTPResponse struct {
	Status int
	// Headers are the response's header lines, "Name: value", names in
	// canonical form (Etag, Content-Type) and sorted.
	Headers []string
	Body    []byte
}

// Header returns the first value of the named response header ("" if
// absent); name is matched case-insensitively.
func (r *HTTPResponse) Header(name string) string {
	for _, h := range r.Headers {
		k, v, ok := strings.Cut(h, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// RecordEntry is a record read through the host.
type RecordEntry struct {
	Collection, RKey, CID string
	Record                Record
}
