package pdsplugin

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
	Body   []byte
}

// RecordEntry is a record read through the host.
type RecordEntry struct {
	Collection, RKey, CID string
	Record                Record
}
