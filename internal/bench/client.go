package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// client speaks XRPC to one target over its own keep-alive connections. A
// client made with newClient(url, 1) uses exactly one TCP connection, so a
// worker owning one measures one connection's request rate.
type client struct {
	xrpc string // "http://host:port/xrpc/"
	hc   *http.Client
	buf  bytes.Buffer // response body of the last call
}

// newTransport returns a transport tuned for a load generator: keep-alive,
// no compression, no HTTP/2 negotiation, at most conns connections.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
		WriteBufferSize:     64 << 10,
		ReadBufferSize:      64 << 10,
	}
}

// newClient returns a client of the target at base (scheme://host[:port])
// using at most conns connections.
func newClient(base string, conns int) *client {
	return &client{
		xrpc: strings.TrimRight(base, "/") + "/xrpc/",
		hc:   &http.Client{Transport: newTransport(conns), Timeout: 5 * time.Minute},
	}
}

// close drops the client's idle connections.
func (c *client) close() { c.hc.CloseIdleConnections() }

// xrpcError is a non-2xx XRPC response.
type xrpcError struct {
	Status  int
	Name    string // the "error" field, if any
	Message string
}

func (e *xrpcError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Name, e.Message)
}

// request is one XRPC call. Body, when set, is sent as application/json.
type request struct {
	method string // GET or POST
	nsid   string
	query  string // already encoded, without '?'
	body   []byte
	auth   string // the whole Authorization header value, or ""
}

// call sends req and reads the whole response body into c.buf, returning
// it (valid until the next call). A non-2xx status is an *xrpcError.
func (c *client) call(ctx context.Context, req request) ([]byte, error) {
	url := c.xrpc + req.nsid
	if req.query != "" {
		url += "?" + req.query
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, url, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.nsid, err)
	}
	if req.body != nil {
		hr.Header["Content-Type"] = []string{"application/json"}
	}
	if req.auth != "" {
		hr.Header["Authorization"] = []string{req.auth}
	}
	resp, err := c.hc.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.nsid, err)
	}
	defer resp.Body.Close()
	c.buf.Reset()
	if _, err := c.buf.ReadFrom(resp.Body); err != nil {
		return nil, fmt.Errorf("%s: read response: %w", req.nsid, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s: %w", req.nsid, decodeXRPCError(resp.StatusCode, c.buf.Bytes()))
	}
	return c.buf.Bytes(), nil
}

// callJSON is call followed by decoding the response into out (if not nil).
func (c *client) callJSON(ctx context.Context, req request, out any) error {
	b, err := c.call(ctx, req)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: decode response: %w", req.nsid, err)
	}
	return nil
}

func decodeXRPCError(status int, body []byte) *xrpcError {
	e := &xrpcError{Status: status}
	var v struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &v) == nil && (v.Error != "" || v.Message != "") {
		e.Name, e.Message = v.Error, v.Message
		return e
	}
	e.Message = strings.TrimSpace(string(body[:min(len(body), 200)]))
	return e
}
