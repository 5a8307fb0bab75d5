package blobs

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// copyBuffer is the size of the buffer an upload is streamed through.
const copyBuffer = 64 << 10

// Upload streams body into the blob store for the account did and records
// its metadata. At most limit bytes are read: a longer body gets
// ErrTooLarge. declared is the client's Content-Type; the stored MIME type
// is sniffed from the first 512 bytes, or declared when the sniff finds
// nothing specific. A body that cannot be read gets an error wrapping
// ErrBodyRead. Uploading the same bytes again refreshes the upload time, so
// the grace period starts over.
func (s *Service) Upload(ctx context.Context, did, declared string, body io.Reader, limit int64) (store.Blob, error) {
	tmp, err := s.receive(body, limit)
	if err != nil {
		return store.Blob{}, err
	}
	defer tmp.discard()
	b := store.Blob{DID: did, CID: tmp.cid, MimeType: chooseMime(declared, tmp.head), Size: tmp.size}
	if err := s.checkTakedown(ctx, did, b.CID); err != nil {
		return store.Blob{}, err
	}
	if s.hooks != nil {
		if err := s.hooks.CheckUpload(ctx, b, tmp.f.Name()); err != nil {
			return store.Blob{}, err
		}
	}
	unlock := s.locks.lock(b.CID)
	defer unlock()
	if err := s.storeBytes(ctx, tmp); err != nil {
		return store.Blob{}, err
	}
	if err := s.bytes.AddOwner(ctx, b.CID, did); err != nil {
		return store.Blob{}, err
	}
	b.CreatedAt = s.now()
	if err := s.meta.PutBlob(ctx, b); err != nil {
		return store.Blob{}, fmt.Errorf("blobs: upload %s: %w", b.CID, err)
	}
	if s.hooks != nil {
		s.hooks.AfterUpload(context.WithoutCancel(ctx), b)
	}
	return b, nil
}

// received is an upload written to a temporary file.
type received struct {
	f       *os.File
	adopter Adopter // nil: the file is outside the blob store
	cid     cid.Cid
	size    int64
	head    []byte // the first 512 bytes, for sniffing
	adopted bool
}

// receive copies at most limit bytes of body to a temporary file, hashing
// them on the way.
func (s *Service) receive(body io.Reader, limit int64) (*received, error) {
	r := &received{}
	dir := ""
	if a, ok := s.bytes.(Adopter); ok {
		r.adopter, dir = a, a.TempDir()
	}
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("blobs: temporary file: %w", err)
	}
	r.f = f
	h := sha256.New()
	sniff := &headWriter{max: 512}
	n, err := io.CopyBuffer(io.MultiWriter(f, h, sniff), readErrors{io.LimitReader(body, limit+1)}, make([]byte, copyBuffer))
	if err == nil {
		err = f.Close()
	}
	if err == nil && n > limit {
		err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	if err == nil {
		r.cid, err = cidOf(h)
	}
	if err != nil {
		r.discard()
		return nil, err
	}
	r.size, r.head = n, sniff.buf
	return r, nil
}

func cidOf(h hash.Hash) (cid.Cid, error) {
	c, err := CIDForSHA256(h.Sum(nil))
	if err != nil {
		return cid.Undef, fmt.Errorf("blobs: cid: %w", err)
	}
	return c, nil
}

// discard removes the temporary file unless the blob store took it.
func (r *received) discard() {
	if !r.adopted {
		_ = r.f.Close()
		_ = os.Remove(r.f.Name())
	}
}

// storeBytes moves the received bytes into the blob store unless they are
// there already. The caller holds the CID's lock.
func (s *Service) storeBytes(ctx context.Context, r *received) error {
	has, err := s.bytes.Has(ctx, r.cid)
	if err != nil || has {
		return err
	}
	if r.adopter != nil {
		r.adopted = true
		return r.adopter.Adopt(ctx, r.cid, r.f.Name())
	}
	f, err := os.Open(r.f.Name())
	if err != nil {
		return fmt.Errorf("blobs: reopen upload: %w", err)
	}
	defer f.Close()
	return s.bytes.Put(ctx, r.cid, f)
}

// readErrors tags the errors of the body it reads with ErrBodyRead, so
// they are told apart from the temporary file's.
type readErrors struct{ r io.Reader }

func (e readErrors) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %w", ErrBodyRead, err)
	}
	return n, err
}

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	buf []byte
	max int
}

func (w *headWriter) Write(p []byte) (int, error) {
	if room := w.max - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// chooseMime picks the MIME type to record: the sniffed one, unless the
// sniff is generic (binary or plain text) and the client declared one. As
// the reference PDS does, a specific sniff wins over the declaration.
func chooseMime(declared string, head []byte) string {
	sniffed := http.DetectContentType(head)
	declared = normalizeMime(declared)
	if isGeneric(sniffed) && declared != "" {
		return declared
	}
	return sniffed
}

// isGeneric reports whether a sniffed type says nothing beyond "bytes" or
// "text".
func isGeneric(sniffed string) bool {
	mt, _, _ := strings.Cut(sniffed, ";")
	return mt == "application/octet-stream" || mt == "text/plain"
}

// normalizeMime returns a declared Content-Type in canonical form, or ""
// when it is missing, malformed or a wildcard.
func normalizeMime(v string) string {
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || strings.Contains(mt, "*") || !strings.Contains(mt, "/") {
		return ""
	}
	return mime.FormatMediaType(mt, params)
}
