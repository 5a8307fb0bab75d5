package privacy

import (
	"bytes"
	"crypto/rand"
	"io"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

func TestPrivateBlobs(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newEnv(t, open(t))
		plain := make([]byte, 3*crypt.BlobChunkSize+123)
		_, _ = rand.Read(plain)
		ref, err := e.svc.EncryptBlob(ctx, alice, bytes.NewReader(plain), "image/png")
		must(t, err)
		if ref.Size != int64(len(plain)) || ref.Encrypted <= ref.Size || len(ref.Key) != 32 || ref.MimeType != "image/png" {
			t.Fatalf("blob ref = %+v", ref)
		}
		c, _ := cid.Decode(ref.CID)
		stored := e.blobs.m[c]
		if bytes.Contains(stored, plain[:64]) {
			t.Fatal("the stored blob holds plaintext")
		}

		read := func(requester string) ([]byte, error) {
			rc, err := e.svc.DecryptBlob(ctx, requester, alice, ref)
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return io.ReadAll(rc)
		}
		got, err := read(alice)
		must(t, err)
		if !bytes.Equal(got, plain) {
			t.Fatal("owner read another blob")
		}
		_, err = read(bob)
		isErr(t, "ungranted reader", err, ErrForbidden)

		// The record refers to the blob; a grantee reads both.
		_, err = e.svc.PutRecord(ctx, alice, diary, "3kpic", []byte(`{"photo":{"cid":"`+ref.CID+`"}}`))
		must(t, err)
		_, err = e.svc.Grant(ctx, alice, diary, bob, e.bob.Public())
		must(t, err)
		got, err = read(bob)
		must(t, err)
		if !bytes.Equal(got, plain) {
			t.Fatal("grantee read another blob")
		}

		// Only the private listing knows it.
		bs, err := e.st.ListPrivateBlobs(ctx, alice, cid.Undef, 0)
		must(t, err)
		if len(bs) != 1 || bs[0].CID != c || bs[0].Size != ref.Encrypted {
			t.Fatalf("private blobs = %+v", bs)
		}
		public, err := e.st.ListBlobs(ctx, alice, "", "", 100)
		must(t, err)
		if len(public) != 0 {
			t.Fatalf("public listBlobs shows %v", public)
		}
		_, err = e.st.GetBlob(ctx, alice, c)
		isErr(t, "public blob metadata", err, store.ErrNotFound)

		// A stored blob cut after a whole chunk fails as truncated.
		e.blobs.m[c] = stored[:len(stored)-(123+16)]
		_, err = read(alice)
		isErr(t, "truncated blob", err, crypt.ErrBlobTruncated)
		_, err = e.svc.StoreBlob(ctx, alice, bytes.NewReader([]byte("plain bytes")))
		isErr(t, "plaintext upload", err, ErrInvalid)
	})
}
