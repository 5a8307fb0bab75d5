package proxy

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Headers that cross the proxy; every other header stays behind.
var (
	// passOn go from the client to the service.
	passOn = []string{"Accept-Language", "Atproto-Accept-Labelers", "X-Bsky-Topics"}
	// passOnBody describe a forwarded request body.
	passOnBody = []string{"Content-Type", "Content-Encoding"}
	// passBackContent describe the service's response body.
	passBackContent = []string{"Content-Length", "Content-Encoding", "Content-Type", "Content-Language"}
	// passBackMeta come back with every response, errors included.
	passBackMeta = []string{"Atproto-Repo-Rev", "Atproto-Content-Labelers", "Retry-After"}
)

// copyHeaders copies the named headers from src to dst, several values of
// one header joined with commas.
func copyHeaders(dst, src http.Header, names []string) {
	for _, name := range names {
		if vs := src.Values(name); len(vs) > 0 {
			dst.Set(name, strings.Join(vs, ","))
		}
	}
}

// maxErrorBody bounds how much of an error response is read to find its
// XRPC error name and message.
const maxErrorBody = 64 << 10

// upstreamError turns a service's error response into an *Error: its status
// (a 500 becoming 502 UpstreamFailure, unknown statuses normalized as
// @atproto/xrpc does) with the error name and message of its JSON body when
// there is one.
func upstreamError(resp *http.Response) *Error {
	status := normalizeStatus(resp.StatusCode)
	if status == http.StatusInternalServerError {
		status = http.StatusBadGateway
	}
	name, msg := readErrorBody(resp)
	if name == "" {
		name = responseNames[status]
	}
	if msg == "" {
		msg = strings.TrimSpace(http.StatusText(status))
		if msg == "" {
			msg = name
		}
	}
	return &Error{Status: status, Name: name, Message: msg}
}

// readErrorBody reads the {"error", "message"} of a JSON error body, gzip
// decoded if need be; anything unreadable yields empty strings.
func readErrorBody(resp *http.Response) (name, msg string) {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return "", ""
	}
	var body io.Reader = io.LimitReader(resp.Body, maxErrorBody)
	switch strings.ToLower(resp.Header.Get("Content-Encoding")) {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return "", ""
		}
		defer zr.Close()
		body = io.LimitReader(zr, maxErrorBody)
	default:
		return "", ""
	}
	var out struct {
		Error   any `json:"error"`
		Message any `json:"message"`
	}
	if err := json.NewDecoder(body).Decode(&out); err != nil {
		return "", ""
	}
	name, _ = out.Error.(string)
	msg, _ = out.Message.(string)
	return name, msg
}
