package privacy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
)

// ErrNoBlobStore: the Service was built without BlobBytes.
var ErrNoBlobStore = errors.New("privacy: private blobs are not configured")

// StoreBlob stores an encrypted blob (the crypt blob format; the server
// checks only its magic) for owner and returns its metadata. Server side,
// owner only.
func (s *Service) StoreBlob(ctx context.Context, owner string, r io.Reader) (store.PrivateBlob, error) {
	if s.blobs == nil {
		return store.PrivateBlob{}, ErrNoBlobStore
	}
	br := bufio.NewReader(r)
	head, err := br.Peek(4)
	if err != nil || string(head) != "HPB\x00" {
		return store.PrivateBlob{}, fmt.Errorf("%w: not an encrypted blob", ErrInvalid)
	}
	c, size, err := s.blobs.Put(ctx, br)
	if err != nil {
		return store.PrivateBlob{}, fmt.Errorf("privacy: store blob of %s: %w", owner, err)
	}
	b := store.PrivateBlob{OwnerDID: owner, CID: c, Size: size, CreatedAt: s.now()}
	if err := s.st.PutPrivateBlob(ctx, b); err != nil {
		return store.PrivateBlob{}, err
	}
	return b, nil
}

// OpenBlob returns the encrypted bytes of owner's blob c to the owner or to
// a grantee holding an active grant of any of owner's collections (the
// server cannot tell which record refers to a blob; the bytes are useless
// without the key inside that record). Server side.
func (s *Service) OpenBlob(ctx context.Context, requester, owner string, c cid.Cid) (io.ReadCloser, error) {
	if s.blobs == nil {
		return nil, ErrNoBlobStore
	}
	if err := s.hasAnyGrant(ctx, requester, owner); err != nil {
		return nil, err
	}
	if _, err := s.st.GetPrivateBlob(ctx, owner, c); err != nil {
		return nil, err
	}
	return s.blobs.Open(ctx, c)
}

// BlobRef is what a private record holds about a blob it refers to
// (crypt.BlobRef: its CID, key, type and sizes). It lives only inside
// envelopes.
type BlobRef = crypt.BlobRef

// EncryptBlob encrypts r under a fresh blob key, streaming, stores it and
// returns the reference to put in a private record. Owner side (it needs
// no master key, but it is the owner's client that encrypts).
func (s *Service) EncryptBlob(ctx context.Context, owner string, r io.Reader, mimeType string) (BlobRef, error) {
	key, err := crypt.NewBlobKey()
	if err != nil {
		return BlobRef{}, err
	}
	secret := keys.NewSecret(key)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	var res crypt.BlobResult
	go func() {
		var err error
		res, err = crypt.EncryptBlob(pw, r, key, owner)
		clear(key)
		pw.CloseWithError(err)
		done <- err
	}()
	b, err := s.StoreBlob(ctx, owner, pr)
	pr.CloseWithError(errors.New("privacy: blob store stopped reading"))
	if encErr := <-done; encErr != nil && err == nil {
		err = encErr
	}
	if err != nil {
		return BlobRef{}, err
	}
	if b.CID != res.CID {
		return BlobRef{}, fmt.Errorf("privacy: blob store addressed %s, encrypted %s", b.CID, res.CID)
	}
	return BlobRef{CID: b.CID.String(), Key: secret.Bytes(), MimeType: mimeType, Size: res.PlainSize, Encrypted: res.Size}, nil
}

// DecryptBlob fetches owner's blob ref as requester and returns its
// plaintext reader (authenticated chunk by chunk; read to io.EOF). Client
// side: whoever holds the record holding ref.
func (s *Service) DecryptBlob(ctx context.Context, requester, owner string, ref BlobRef) (io.ReadCloser, error) {
	c, err := cid.Decode(ref.CID)
	if err != nil {
		return nil, fmt.Errorf("%w: blob CID: %w", ErrInvalid, err)
	}
	rc, err := s.OpenBlob(ctx, requester, owner, c)
	if err != nil {
		return nil, err
	}
	r, err := crypt.NewBlobReader(rc, ref.Key, owner)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{r, rc}, nil
}
