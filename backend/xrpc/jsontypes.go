package xrpc

import (
	"encoding/json"

	"github.com/bluesky-social/indigo/atproto/atdata"
	"github.com/ipfs/go-cid"
)

// jsonCID is a CID field of a request body.
type jsonCID struct{ cid.Cid }

func (c *jsonCID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &invalidField{"a cid must be a string"}
	}
	parsed, err := cid.Decode(s)
	if err != nil {
		return &invalidField{"invalid cid: " + s}
	}
	c.Cid = parsed
	return nil
}

func (c *jsonCID) ptr() *cid.Cid {
	if c == nil {
		return nil
	}
	return &c.Cid
}

// nullableCID tells an absent field (Set false) from an explicit null (Set
// true, CID nil): swapRecord uses null to mean "the record must not exist".
type nullableCID struct {
	Set bool
	CID *cid.Cid
}

func (n *nullableCID) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		return nil
	}
	var c jsonCID
	if err := c.UnmarshalJSON(b); err != nil {
		return err
	}
	n.CID = &c.Cid
	return nil
}

// recordValue is a record in a request body, parsed into the atproto data
// model (links, bytes, blobs).
type recordValue struct {
	m map[string]any
}

func (r *recordValue) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	m, err := atdata.UnmarshalJSON(b)
	if err != nil {
		return &invalidField{"invalid record: " + err.Error()}
	}
	r.m = m
	return nil
}

// commitMeta is the {cid, rev} of a commit in responses.
type commitMeta struct {
	CID string `json:"cid"`
	Rev string `json:"rev"`
}
