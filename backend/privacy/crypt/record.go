package crypt

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// KeyRecordNSID is the collection of the published public key record; its
// rkey is KeyRecordRKey.
const (
	KeyRecordNSID = "dev.hearthpds.crypto.encryptionKey"
	KeyRecordRKey = "self"
)

// KeyRecord is the public record dev.hearthpds.crypto.encryptionKey/self:
// the only artifact of private records that relays and AppViews see.
type KeyRecord struct {
	Type      string    `json:"$type"`
	KEMID     int       `json:"kemId"`
	PublicKey BytesJSON `json:"publicKey"`
	KeyID     string    `json:"keyId"`
	CreatedAt string    `json:"createdAt"`
}

// BytesJSON is atproto's JSON form of bytes: {"$bytes": base64 without
// padding}.
type BytesJSON struct {
	Bytes string `json:"$bytes"`
}

// Record returns the public key's record, created at t.
func (p PublicKey) Record(t time.Time) KeyRecord {
	return KeyRecord{
		Type: KeyRecordNSID, KEMID: int(p.KEMID), KeyID: p.KeyID(),
		PublicKey: BytesJSON{Bytes: base64.RawStdEncoding.EncodeToString(p.Key)},
		CreatedAt: t.UTC().Format("2006-01-02T15:04:05.000Z"),
	}
}

// ParseKeyRecord reads a fetched key record and checks it: a supported
// KEM, a valid key, and a keyId (if present) that matches the key.
func ParseKeyRecord(b []byte) (PublicKey, error) {
	var r KeyRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return PublicKey{}, fmt.Errorf("%w: key record: %w", ErrMalformed, err)
	}
	if r.Type != "" && r.Type != KeyRecordNSID {
		return PublicKey{}, fmt.Errorf("%w: key record type %q", ErrMalformed, r.Type)
	}
	if r.KEMID < 0 || r.KEMID > 0xffff {
		return PublicKey{}, fmt.Errorf("%w: kemId %d", ErrUnsupportedKEM, r.KEMID)
	}
	key, err := base64.RawStdEncoding.DecodeString(r.PublicKey.Bytes)
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: key record publicKey: %w", ErrMalformed, err)
	}
	p := PublicKey{KEMID: uint16(r.KEMID), Key: key}
	if err := p.Validate(); err != nil {
		return PublicKey{}, err
	}
	if r.KeyID != "" && r.KeyID != p.KeyID() {
		return PublicKey{}, fmt.Errorf("%w: keyId does not match the key", ErrMalformed)
	}
	return p, nil
}
