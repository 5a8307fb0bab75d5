package crypt

import (
	"bufio"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
	"golang.org/x/crypto/chacha20poly1305"
)

// Encrypted blob format, version 1 (the STREAM construction of Hoang,
// Reyhanitabar, Rogaway and Vizár, with XChaCha20-Poly1305):
//
//	header (24 bytes):
//	  0  4  magic "HPB\x00"
//	  4  1  version, 0x01
//	  5  1  algorithm, 0x01 = XChaCha20-Poly1305
//	  6  3  chunk size in bytes, big-endian (65536)
//	  9  15 nonce prefix, random
//	then chunks: each the ciphertext of chunk-size plaintext bytes (the last
//	one 0..chunk size bytes) followed by its 16-byte tag.
//
// Chunk i (from 0) is sealed under the blob key with nonce = prefix (15) |
// i as 8 bytes big-endian | last flag (1 byte: 0x01 on the last chunk, else
// 0x00), and associated data lp(labelBlob, owner DID, header). An empty blob
// is one empty last chunk. Reordered chunks fail (the counter differs), a
// truncated stream fails (no chunk carries the last flag where it ends),
// appended data fails (nothing may follow the last chunk), and a header
// moved to another owner or altered fails every chunk.
//
// The blob's CID (raw codec, SHA-256) is over these bytes, so the server
// can check and address it without reading it.
const (
	blobMagic            = "HPB\x00"
	blobVersion1    byte = 1
	blobHeaderSize       = 4 + 1 + 1 + 3 + blobPrefixSize
	blobPrefixSize       = 15
	BlobChunkSize        = 64 << 10
	blobSealedChunk      = BlobChunkSize + chacha20poly1305.Overhead
)

// BlobResult describes an encrypted blob: what the owner puts inside the
// private record that refers to it (with the key and the MIME type).
type BlobResult struct {
	CID  cid.Cid // of the ciphertext (raw, SHA-256)
	Size int64   // ciphertext bytes
	// PlainSize is the plaintext's length.
	PlainSize int64
}

// NewBlobKey returns a fresh random blob key.
func NewBlobKey() ([]byte, error) { return NewEpochKey() }

// blobNonce fills nonce for chunk i.
func blobNonce(nonce, prefix []byte, i uint64, last bool) {
	copy(nonce, prefix)
	binary.BigEndian.PutUint64(nonce[blobPrefixSize:], i)
	nonce[len(nonce)-1] = 0
	if last {
		nonce[len(nonce)-1] = 1
	}
}

// EncryptBlob reads plaintext from r and writes the encrypted blob for
// owner under key to w, chunk by chunk (memory stays at two chunks
// whatever the size).
func EncryptBlob(w io.Writer, r io.Reader, key []byte, owner string) (BlobResult, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return BlobResult{}, fmt.Errorf("%w: blob key: %w", ErrMalformed, err)
	}
	header := make([]byte, blobHeaderSize)
	copy(header, blobMagic)
	header[4], header[5] = blobVersion1, AlgXChaCha20
	size := uint32(BlobChunkSize)
	header[6], header[7], header[8] = byte(size>>16), byte(size>>8), byte(size)
	if _, err := rand.Read(header[9:]); err != nil {
		return BlobResult{}, fmt.Errorf("crypt: blob nonce prefix: %w", err)
	}
	h := sha256.New()
	out := io.MultiWriter(w, h)
	res := BlobResult{}
	if _, err := out.Write(header); err != nil {
		return res, fmt.Errorf("crypt: write blob header: %w", err)
	}
	res.Size = blobHeaderSize
	ad := lp([]byte(labelBlob), []byte(owner), header)
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	cur, next := make([]byte, BlobChunkSize), make([]byte, BlobChunkSize)
	defer clear(cur)
	defer clear(next)
	sealed := make([]byte, 0, blobSealedChunk)
	// Read one chunk ahead: a chunk is the last one when nothing follows.
	n, err := io.ReadFull(r, cur)
	for i := uint64(0); ; i++ {
		last := false
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			last = true
		case err != nil:
			return res, fmt.Errorf("crypt: read blob: %w", err)
		}
		var nn int
		var nerr error
		if !last {
			nn, nerr = io.ReadFull(r, next)
			if errors.Is(nerr, io.EOF) {
				last = true
			}
		}
		blobNonce(nonce, header[9:], i, last)
		sealed = aead.Seal(sealed[:0], nonce, cur[:n], ad)
		if _, err := out.Write(sealed); err != nil {
			return res, fmt.Errorf("crypt: write blob chunk %d: %w", i, err)
		}
		res.Size += int64(len(sealed))
		res.PlainSize += int64(n)
		if last {
			break
		}
		cur, next = next, cur
		n, err = nn, nerr
	}
	mh, err := multihash.Encode(h.Sum(nil), multihash.SHA2_256)
	if err != nil {
		return res, fmt.Errorf("crypt: blob multihash: %w", err)
	}
	res.CID = cid.NewCidV1(cid.Raw, mh)
	return res, nil
}

// blobReader decrypts a blob stream chunk by chunk.
type blobReader struct {
	src    *bufio.Reader
	aead   cipher.AEAD
	ad     []byte
	prefix []byte
	nonce  []byte
	chunk  []byte // sealed chunk buffer
	out    []byte // decrypted chunk buffer
	plain  []byte // decrypted bytes not yet returned (within out)
	i      uint64
	done   bool
	err    error
}

// NewBlobReader returns a reader of the plaintext of the encrypted blob
// read from r, for owner under key. It reads the header at once; each Read
// returns only authenticated bytes. A stream cut short ends with
// ErrBlobTruncated, a bad chunk with ErrBlobCorrupt; no plaintext of a
// chunk that fails is ever returned. Callers must read to io.EOF to know
// the whole blob was authentic.
func NewBlobReader(r io.Reader, key []byte, owner string) (io.Reader, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("%w: blob key: %w", ErrMalformed, err)
	}
	src := bufio.NewReaderSize(r, blobSealedChunk+1)
	header := make([]byte, blobHeaderSize)
	if _, err := io.ReadFull(src, header); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrBlobTruncated, err)
	}
	if string(header[:4]) != blobMagic {
		return nil, fmt.Errorf("%w: not an encrypted blob", ErrMalformed)
	}
	if header[4] != blobVersion1 || header[5] != AlgXChaCha20 {
		return nil, fmt.Errorf("%w: blob version %d, algorithm %d", ErrVersion, header[4], header[5])
	}
	if size := int(header[6])<<16 | int(header[7])<<8 | int(header[8]); size != BlobChunkSize {
		return nil, fmt.Errorf("%w: chunk size %d", ErrVersion, size)
	}
	return &blobReader{
		src: src, aead: aead, ad: lp([]byte(labelBlob), []byte(owner), header), prefix: header[9:],
		nonce: make([]byte, chacha20poly1305.NonceSizeX), chunk: make([]byte, blobSealedChunk),
		out: make([]byte, 0, BlobChunkSize),
	}, nil
}

// Read returns decrypted bytes.
func (b *blobReader) Read(p []byte) (int, error) {
	for len(b.plain) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		if b.done {
			return 0, io.EOF
		}
		b.err = b.next()
	}
	n := copy(p, b.plain)
	b.plain = b.plain[n:]
	return n, nil
}

// next reads and opens the next chunk.
func (b *blobReader) next() error {
	n, err := io.ReadFull(b.src, b.chunk)
	last := false
	switch {
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%w: ends after chunk %d without its last chunk", ErrBlobTruncated, b.i)
	case errors.Is(err, io.ErrUnexpectedEOF):
		last = true
	case err != nil:
		return fmt.Errorf("crypt: read blob chunk %d: %w", b.i, err)
	default:
		if _, perr := b.src.Peek(1); errors.Is(perr, io.EOF) {
			last = true
		} else if perr != nil {
			return fmt.Errorf("crypt: read blob chunk %d: %w", b.i, perr)
		}
	}
	if n < chacha20poly1305.Overhead {
		return fmt.Errorf("%w: chunk %d is %d bytes", ErrBlobTruncated, b.i, n)
	}
	blobNonce(b.nonce, b.prefix, b.i, last)
	pt, err := b.aead.Open(b.out[:0], b.nonce, b.chunk[:n], b.ad)
	if err != nil {
		if last {
			// A chunk that fails as the last one may be a full chunk whose
			// successors were cut off: say truncated when it opens as an
			// inner chunk.
			blobNonce(b.nonce, b.prefix, b.i, false)
			if _, ierr := b.aead.Open(nil, b.nonce, b.chunk[:n], b.ad); ierr == nil {
				return fmt.Errorf("%w: ends after chunk %d without its last chunk", ErrBlobTruncated, b.i)
			}
		}
		return fmt.Errorf("%w: chunk %d", ErrBlobCorrupt, b.i)
	}
	b.plain = pt
	b.i++
	b.done = last
	return nil
}

// BlobRef is what a private record holds about a blob it refers to: its
// CID and the key and type needed to read it. It lives only inside
// envelopes; a reader passes it to NewBlobReader (Key) after fetching the
// ciphertext by CID.
type BlobRef struct {
	CID       string `json:"cid"`
	Key       []byte `json:"key"` // the blob key (base64 in JSON, inside the envelope only)
	MimeType  string `json:"mimeType"`
	Size      int64  `json:"size"` // plaintext bytes
	Encrypted int64  `json:"encryptedSize"`
}
