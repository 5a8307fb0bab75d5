package crypt

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// encryptBlob encrypts plaintext for alice and returns the stream and key.
func encryptBlob(t *testing.T, plaintext []byte) ([]byte, []byte, BlobResult) {
	t.Helper()
	key, err := NewBlobKey()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	res, err := EncryptBlob(&buf, bytes.NewReader(plaintext), key, alice)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), key, res
}

// decryptBlob reads the whole plaintext of an encrypted blob.
func decryptBlob(enc, key []byte, owner string) ([]byte, error) {
	r, err := NewBlobReader(bytes.NewReader(enc), key, owner)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// chunks splits an encrypted blob into its header and sealed chunks.
func chunks(enc []byte) (header []byte, cs [][]byte) {
	header, rest := enc[:blobHeaderSize], enc[blobHeaderSize:]
	for len(rest) > 0 {
		n := min(len(rest), blobSealedChunk)
		cs, rest = append(cs, rest[:n]), rest[n:]
	}
	return header, cs
}

func TestBlobRoundTrip(t *testing.T) {
	for _, size := range []int{0, 1, BlobChunkSize - 1, BlobChunkSize, BlobChunkSize + 1, 3*BlobChunkSize + 5, 4 * BlobChunkSize} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			plain := make([]byte, size)
			_, _ = rand.Read(plain)
			enc, key, res := encryptBlob(t, plain)
			wantChunks := max(1, (size+BlobChunkSize-1)/BlobChunkSize)
			if _, cs := chunks(enc); len(cs) != wantChunks {
				t.Fatalf("%d chunks, want %d", len(cs), wantChunks)
			}
			if res.Size != int64(len(enc)) || res.PlainSize != int64(size) {
				t.Fatalf("result %+v for %d encrypted bytes", res, len(enc))
			}
			sum := sha256.Sum256(enc)
			mh, _ := multihash.Encode(sum[:], multihash.SHA2_256)
			if want := cid.NewCidV1(cid.Raw, mh); res.CID != want {
				t.Fatalf("CID %s, want %s (over the ciphertext)", res.CID, want)
			}
			got, err := decryptBlob(enc, key, alice)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Fatal("decrypted blob differs")
			}
		})
	}
}

func TestBlobTruncationDetected(t *testing.T) {
	plain := make([]byte, 3*BlobChunkSize+100)
	enc, key, _ := encryptBlob(t, plain)
	header, cs := chunks(enc)
	// Cut at each chunk boundary: the stream ends without its last chunk.
	cut := bytes.Clone(header)
	for i := 0; i < len(cs)-1; i++ {
		cut = append(cut, cs[i]...)
		_, err := decryptBlob(cut, key, alice)
		if !errors.Is(err, ErrBlobTruncated) {
			t.Fatalf("cut after chunk %d: %v, want ErrBlobTruncated", i, err)
		}
	}
	// Cut inside chunks and inside the header.
	for _, n := range []int{0, 5, blobHeaderSize - 1, blobHeaderSize + 10, blobHeaderSize + blobSealedChunk + 1, len(enc) - 1} {
		if _, err := decryptBlob(enc[:n], key, alice); err == nil {
			t.Fatalf("blob cut to %d bytes decrypted", n)
		}
	}
	// Data after the last chunk.
	if _, err := decryptBlob(append(bytes.Clone(enc), 0), key, alice); err == nil {
		t.Fatal("blob with a byte appended decrypted")
	}
}

func TestBlobReorderAndTamperDetected(t *testing.T) {
	plain := make([]byte, 3*BlobChunkSize+100)
	_, _ = rand.Read(plain)
	enc, key, _ := encryptBlob(t, plain)
	header, cs := chunks(enc)
	join := func(parts ...[]byte) []byte { return bytes.Join(append([][]byte{header}, parts...), nil) }

	reorders := map[string][]byte{
		"swap 0 and 1":     join(cs[1], cs[0], cs[2], cs[3]),
		"drop chunk 1":     join(cs[0], cs[2], cs[3]),
		"duplicate 0":      join(cs[0], cs[0], cs[1], cs[2], cs[3]),
		"last moved first": join(cs[3], cs[0], cs[1], cs[2]),
	}
	for name, bad := range reorders {
		if _, err := decryptBlob(bad, key, alice); !errors.Is(err, ErrBlobCorrupt) && !errors.Is(err, ErrBlobTruncated) {
			t.Fatalf("%s: %v, want a refusal", name, err)
		}
	}
	// A chunk from another blob (same key, another nonce prefix).
	other, _, _ := func() ([]byte, []byte, BlobResult) {
		var buf bytes.Buffer
		res, err := EncryptBlob(&buf, bytes.NewReader(plain), key, alice)
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes(), key, res
	}()
	_, ocs := chunks(other)
	if _, err := decryptBlob(join(cs[0], ocs[1], cs[2], cs[3]), key, alice); !errors.Is(err, ErrBlobCorrupt) {
		t.Fatalf("spliced chunk: %v, want ErrBlobCorrupt", err)
	}
	// Flipped bytes in the header and in chunks, another owner, another key.
	for _, i := range []int{4, 9, 20, blobHeaderSize, blobHeaderSize + 100, blobHeaderSize + blobSealedChunk + 7, len(enc) - 1} {
		bad := bytes.Clone(enc)
		bad[i] ^= 1
		if _, err := decryptBlob(bad, key, alice); err == nil {
			t.Fatalf("blob with byte %d flipped decrypted", i)
		}
	}
	if _, err := decryptBlob(enc, key, bob); !errors.Is(err, ErrBlobCorrupt) {
		t.Fatalf("another owner: %v", err)
	}
	wrong, _ := NewBlobKey()
	if _, err := decryptBlob(enc, wrong, alice); !errors.Is(err, ErrBlobCorrupt) {
		t.Fatalf("another key: %v", err)
	}
}

// TestBlobReaderReleasesNoUnauthenticatedBytes: when chunk 1 is tampered
// with, the reader returns chunk 0's bytes and then the error, never a
// byte of chunk 1.
func TestBlobReaderReleasesNoUnauthenticatedBytes(t *testing.T) {
	plain := bytes.Repeat([]byte{'p'}, 2*BlobChunkSize+1)
	enc, key, _ := encryptBlob(t, plain)
	enc[blobHeaderSize+blobSealedChunk+3] ^= 1
	r, err := NewBlobReader(bytes.NewReader(enc), key, alice)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if !errors.Is(err, ErrBlobCorrupt) || len(got) != BlobChunkSize {
		t.Fatalf("read %d bytes then %v; want %d then ErrBlobCorrupt", len(got), err, BlobChunkSize)
	}
}
