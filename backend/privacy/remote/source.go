package remote

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
)

// NSID prefixes of the private-records methods.
const (
	PrivateNS = "dev.hearthpds.private."
	CryptoNS  = "dev.hearthpds.crypto."
)

// B64 is the encoding of binary fields and parameters of these methods:
// base64url without padding.
var B64 = base64.RawURLEncoding

// Envelope is one stored private record as a PDS serves it: opaque bytes
// under the rkey's MAC.
type Envelope struct {
	RKeyMAC  []byte
	Epoch    uint64
	CID      string // of the envelope bytes
	Rev      string
	Envelope []byte
}

// Source is where a reader's sealed grants, envelopes and encrypted blobs
// come from. Every call is made as one reader (the owner, or a grantee),
// which the Source knows; the methods name the owner read from.
type Source interface {
	// GrantKeys returns the reader's own active sealed grants of owner's
	// collection.
	GrantKeys(ctx context.Context, owner, collection string) ([]crypt.SealedGrant, error)
	// Envelope returns the envelope stored under rkeyMAC.
	Envelope(ctx context.Context, owner, collection string, rkeyMAC []byte) (Envelope, error)
	// Envelopes pages the collection by rkey MAC after after (nil: from
	// the start), at most limit, only records at epoch <= maxEpoch (0:
	// every epoch).
	Envelopes(ctx context.Context, owner, collection string, after []byte, limit int, maxEpoch uint64) ([]Envelope, error)
	// Blob returns the ciphertext of owner's encrypted blob c.
	Blob(ctx context.Context, owner string, c cid.Cid) (io.ReadCloser, error)
}

// xrpcSource reads from a PDS over XRPC.
type xrpcSource struct{ c *Client }

// NewXRPCSource returns a Source reading from the PDS c calls, as whoever
// c's tokens authenticate.
func NewXRPCSource(c *Client) Source { return xrpcSource{c} }

// SealedGrantView is a sealed grant on the wire.
type SealedGrantView struct {
	Epoch  uint64 `json:"epoch"`
	Sealed string `json:"sealed"`
}

// RecordView is an envelope on the wire.
type RecordView struct {
	Collection string `json:"collection"`
	RKeyMAC    string `json:"rkeyMac"`
	Epoch      uint64 `json:"epoch"`
	CID        string `json:"cid"`
	Rev        string `json:"rev"`
	Envelope   string `json:"envelope,omitempty"`
}

// envelope decodes v.
func (v RecordView) envelope() (Envelope, error) {
	mac, err := B64.DecodeString(v.RKeyMAC)
	if err != nil {
		return Envelope{}, fmt.Errorf("remote: rkeyMac: %w", err)
	}
	env, err := B64.DecodeString(v.Envelope)
	if err != nil {
		return Envelope{}, fmt.Errorf("remote: envelope: %w", err)
	}
	return Envelope{RKeyMAC: mac, Epoch: v.Epoch, CID: v.CID, Rev: v.Rev, Envelope: env}, nil
}

func (s xrpcSource) GrantKeys(ctx context.Context, owner, collection string) ([]crypt.SealedGrant, error) {
	var out struct {
		Grants []SealedGrantView `json:"grants"`
	}
	if err := s.c.Get(ctx, PrivateNS+"getGrantKeys", url.Values{"repo": {owner}, "collection": {collection}}, &out); err != nil {
		return nil, err
	}
	gs := make([]crypt.SealedGrant, len(out.Grants))
	for i, g := range out.Grants {
		b, err := B64.DecodeString(g.Sealed)
		if err != nil {
			return nil, fmt.Errorf("remote: sealed grant of epoch %d: %w", g.Epoch, err)
		}
		gs[i] = crypt.SealedGrant{Epoch: g.Epoch, Sealed: b}
	}
	return gs, nil
}

func (s xrpcSource) Envelope(ctx context.Context, owner, collection string, rkeyMAC []byte) (Envelope, error) {
	var v RecordView
	q := url.Values{"repo": {owner}, "collection": {collection}, "rkeyMac": {B64.EncodeToString(rkeyMAC)}}
	if err := s.c.Get(ctx, PrivateNS+"getEncryptedRecord", q, &v); err != nil {
		return Envelope{}, err
	}
	return v.envelope()
}

func (s xrpcSource) Envelopes(ctx context.Context, owner, collection string, after []byte, limit int, maxEpoch uint64) ([]Envelope, error) {
	q := url.Values{"repo": {owner}, "collection": {collection}, "limit": {strconv.Itoa(limit)}}
	if after != nil {
		q.Set("cursor", B64.EncodeToString(after))
	}
	if maxEpoch > 0 {
		q.Set("maxEpoch", strconv.FormatUint(maxEpoch, 10))
	}
	var out struct {
		Records []RecordView `json:"records"`
	}
	if err := s.c.Get(ctx, PrivateNS+"listEncryptedRecords", q, &out); err != nil {
		return nil, err
	}
	es := make([]Envelope, len(out.Records))
	for i, v := range out.Records {
		e, err := v.envelope()
		if err != nil {
			return nil, err
		}
		es[i] = e
	}
	return es, nil
}

func (s xrpcSource) Blob(ctx context.Context, owner string, c cid.Cid) (io.ReadCloser, error) {
	return s.c.GetRaw(ctx, PrivateNS+"getBlob", url.Values{"repo": {owner}, "cid": {c.String()}})
}
