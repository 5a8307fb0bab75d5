package xrpc

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"
)

// Query-parameter accessors. Each reports a missing required parameter or a
// malformed value as InvalidRequest naming the parameter.

// Str returns a string parameter ("" when absent and optional).
func (c *Call) Str(name string, required bool) (string, error) {
	v := c.param(name)
	if v == "" && required {
		return "", invalidRequest("Error: Params must have the property %q", name)
	}
	return v, nil
}

// DID returns a DID parameter.
func (c *Call) DID(name string, required bool) (string, error) {
	v, err := c.Str(name, required)
	if err != nil || v == "" {
		return v, err
	}
	d, err := syntax.ParseDID(v)
	if err != nil {
		return "", invalidRequest("%s must be a valid did: %q", name, v)
	}
	return d.String(), nil
}

// AtIdentifier returns a DID-or-handle parameter.
func (c *Call) AtIdentifier(name string, required bool) (syntax.AtIdentifier, error) {
	v, err := c.Str(name, required)
	if err != nil || v == "" {
		return "", err
	}
	id, err := syntax.ParseAtIdentifier(v)
	if err != nil {
		return "", invalidRequest("%s must be a valid handle or did: %q", name, v)
	}
	return id, nil
}

// NSID returns an NSID parameter.
func (c *Call) NSID(name string, required bool) (string, error) {
	v, err := c.Str(name, required)
	if err != nil || v == "" {
		return v, err
	}
	if !validNSID(v) {
		return "", invalidRequest("%s must be a valid nsid: %q", name, v)
	}
	return v, nil
}

// RecordKey returns a record-key parameter.
func (c *Call) RecordKey(name string, required bool) (string, error) {
	v, err := c.Str(name, required)
	if err != nil || v == "" {
		return v, err
	}
	if !validRecordKey(v) {
		return "", invalidRequest("%s must be a valid record key: %q", name, v)
	}
	return v, nil
}

// CID returns a CID parameter (nil when absent and optional).
func (c *Call) CID(name string, required bool) (*cid.Cid, error) {
	v, err := c.Str(name, required)
	if err != nil || v == "" {
		return nil, err
	}
	return parseCID(name, v)
}

// Int returns an integer parameter within [lo, hi], def when absent.
func (c *Call) Int(name string, def, lo, hi int) (int, error) {
	v := c.param(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalidRequest("%s must be an integer: %q", name, v)
	}
	if n < lo || n > hi {
		return 0, invalidRequest("%s must be between %d and %d", name, lo, hi)
	}
	return n, nil
}

// Bool returns a boolean parameter (nil when absent).
func (c *Call) Bool(name string) (*bool, error) {
	v := c.param(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, invalidRequest("%s must be true or false: %q", name, v)
	}
	return &b, nil
}

func parseCID(name, v string) (*cid.Cid, error) {
	c, err := cid.Decode(v)
	if err != nil {
		return nil, invalidRequest("%s must be a valid cid: %q", name, v)
	}
	return &c, nil
}

// query returns the request's query parameters, parsed once per call.
func (c *Call) query() url.Values {
	if c.q == nil {
		c.q = c.r.URL.Query()
	}
	return c.q
}

// maxFastParams bounds the parameters param reads without url.ParseQuery.
const maxFastParams = 32

// param returns the first value of a query parameter, as
// c.query().Get(name) does. A query with nothing to unescape and few
// parameters is read in place, without building url.Values (a twentieth of
// a getRecord's CPU went to that).
func (c *Call) param(name string) string {
	raw := c.r.URL.RawQuery
	if c.q != nil || strings.ContainsAny(raw, "%+;") || strings.Count(raw, "&") >= maxFastParams {
		return c.query().Get(name)
	}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if k, v, _ := strings.Cut(pair, "="); k == name && pair != "" {
			return v
		}
	}
	return ""
}
