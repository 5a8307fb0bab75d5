package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"
)

// DefaultPLCURL is the production PLC directory.
const DefaultPLCURL = "https://plc.directory"

// Bounds on what the client reads from a directory.
const (
	maxResponseBytes = 8 << 20
	maxErrorBytes    = 4 << 10
	defaultTimeout   = 15 * time.Second
	userAgent        = "hearth-pds"
)

// PLCClient talks to a PLC directory's HTTP API: it submits operations and
// reads documents, data and logs. It trusts the directory's answers; use
// VerifyAuditLog to check a log yourself. Safe for concurrent use.
type PLCClient struct {
	baseURL string
	http    *http.Client
}

// NewPLCClient returns a client for the directory at baseURL (scheme, host
// and optional port, such as DefaultPLCURL or http://127.0.0.1:2582). hc
// may be nil for a plain client with a 15 s timeout; pass your own to reach
// loopback through a custom transport or to set other limits.
func NewPLCClient(baseURL string, hc *http.Client) *PLCClient {
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	return &PLCClient{baseURL: strings.TrimRight(baseURL, "/"), http: hc}
}

// URL returns the directory's base URL.
func (c *PLCClient) URL() string { return c.baseURL }

// Submit sends a signed operation for did. A refusal comes back as a
// *DirectoryError carrying the directory's message.
func (c *PLCClient) Submit(ctx context.Context, did syntax.DID, op Operation) error {
	body, err := json.Marshal(op)
	if err != nil {
		return fmt.Errorf("submit operation for %s: %w", did, err)
	}
	if err := c.do(ctx, http.MethodPost, "/"+did.String(), body, nil); err != nil {
		return fmt.Errorf("submit operation for %s: %w", did, err)
	}
	return nil
}

// CreateDID builds, signs and submits a genesis operation (see NewGenesis)
// and returns the new DID with the operation.
func (c *PLCClient) CreateDID(ctx context.Context, p GenesisParams) (syntax.DID, Operation, error) {
	did, op, err := NewGenesis(p)
	if err != nil {
		return "", Operation{}, err
	}
	if err := c.Submit(ctx, did, op); err != nil {
		return "", Operation{}, err
	}
	return did, op, nil
}

// Update fetches the DID's latest operation, lets edit change a copy of its
// data, then signs the resulting operation with signer (one of the current
// rotation keys) and submits it. It returns the submitted operation.
func (c *PLCClient) Update(ctx context.Context, did syntax.DID, signer atcrypto.PrivateKey, edit func(*OpData) error) (Operation, error) {
	last, err := c.LastOp(ctx, did)
	if err != nil {
		return Operation{}, err
	}
	data, err := last.Data()
	if err != nil {
		return Operation{}, fmt.Errorf("update %s: %w", did, err)
	}
	if err := edit(&data); err != nil {
		return Operation{}, fmt.Errorf("update %s: %w", did, err)
	}
	op, err := NewUpdate(last, data, signer)
	if err != nil {
		return Operation{}, fmt.Errorf("update %s: %w", did, err)
	}
	if err := c.Submit(ctx, did, op); err != nil {
		return Operation{}, err
	}
	return op, nil
}

// UpdateHandle changes the handle the DID declares (its first at:// alias).
func (c *PLCClient) UpdateHandle(ctx context.Context, did syntax.DID, signer atcrypto.PrivateKey, h syntax.Handle) (Operation, error) {
	return c.Update(ctx, did, signer, func(d *OpData) error {
		d.SetHandle(h)
		return nil
	})
}

// Document fetches the DID document (GET /<did>).
func (c *PLCClient) Document(ctx context.Context, did syntax.DID) (Document, error) {
	var doc Document
	if err := c.get(ctx, did, "", &doc); err != nil {
		return Document{}, err
	}
	return doc, nil
}

// Data fetches the data of the DID's latest operation (GET /<did>/data).
func (c *PLCClient) Data(ctx context.Context, did syntax.DID) (OpData, error) {
	var d OpData
	if err := c.get(ctx, did, "/data", &d); err != nil {
		return OpData{}, err
	}
	return d, nil
}

// LastOp fetches the DID's latest operation (GET /<did>/log/last), which
// may be a tombstone.
func (c *PLCClient) LastOp(ctx context.Context, did syntax.DID) (Operation, error) {
	var op Operation
	if err := c.get(ctx, did, "/log/last", &op); err != nil {
		return Operation{}, err
	}
	return op, nil
}

// Log fetches the DID's active operations, oldest first (GET /<did>/log).
func (c *PLCClient) Log(ctx context.Context, did syntax.DID) ([]Operation, error) {
	var ops []Operation
	if err := c.get(ctx, did, "/log", &ops); err != nil {
		return nil, err
	}
	return ops, nil
}

// AuditLog fetches every operation of the DID, nullified ones included,
// with timestamps (GET /<did>/log/audit).
func (c *PLCClient) AuditLog(ctx context.Context, did syntax.DID) ([]LogEntry, error) {
	var entries []LogEntry
	if err := c.get(ctx, did, "/log/audit", &entries); err != nil {
		return nil, err
	}
	return entries, nil
}

func (c *PLCClient) get(ctx context.Context, did syntax.DID, suffix string, out any) error {
	if err := c.do(ctx, http.MethodGet, "/"+did.String()+suffix, nil, out); err != nil {
		return fmt.Errorf("fetch %s%s: %w", did, suffix, err)
	}
	return nil
}

// do sends one request and, on a 200, decodes the JSON answer into out
// (when out is not nil).
func (c *PLCClient) do(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("PLC directory: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return directoryError(req, resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBytes))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes)).Decode(out); err != nil {
		return fmt.Errorf("decode answer of %s %s: %w", method, req.URL, err)
	}
	return nil
}

// directoryError turns a non-200 answer into a *DirectoryError, taking the
// message from a {"message": …} body when there is one.
func directoryError(req *http.Request, resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	msg := strings.TrimSpace(string(raw))
	var body struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &body) == nil && body.Message != "" {
		msg = body.Message
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return &DirectoryError{Method: req.Method, URL: req.URL.String(), StatusCode: resp.StatusCode, Message: msg}
}
