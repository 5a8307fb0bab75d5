package crypt

import "encoding/binary"

// Purpose labels. Each is the first field of a context string, so keys and
// associated data made for one purpose never equal those for another.
// Labels are permanent: changing one changes every key derived under it.
const (
	labelRecordKey = "hearth/private/record-key/v1"
	labelEnvelope  = "hearth/private/envelope/v1"
	labelRKeyMAC   = "hearth/private/rkey-mac/v1"
	labelGrant     = "hearth/private/grant/v1"
	labelBlob      = "hearth/private/blob/v1"
	labelRecovery  = "hearth/private/recovery/v1"
	labelBackup    = "hearth/private/backup/v1"
	labelKeyID     = "hearth/private/key-id/v1"
)

// lp encodes fields unambiguously: each as a 4-byte big-endian length
// followed by its bytes. Two different field lists never encode the same.
func lp(fields ...[]byte) []byte {
	n := 0
	for _, f := range fields {
		n += 4 + len(f)
	}
	out := make([]byte, 0, n)
	for _, f := range fields {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return out
}

// u64 is n as 8 big-endian bytes.
func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// u16 is n as 2 big-endian bytes.
func u16(n uint16) []byte { return binary.BigEndian.AppendUint16(nil, n) }
