package privacy

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/storetest"
)

const (
	alice = "did:plc:alice0000000000000000000"
	bob   = "did:plc:bob000000000000000000000" // a grantee on another PDS
	carol = "did:plc:carol0000000000000000000" // never granted
	erin  = "did:plc:erin00000000000000000000" // another grantee on another PDS
	diary = "app.example.diary"
)

// cheap are Argon2id parameters fast enough for tests.
var cheap = crypt.BackupParams{MemoryKiB: 64, Passes: 1, Threads: 1}

// memBlobs is an in-memory BlobBytes.
type memBlobs struct {
	mu sync.Mutex
	m  map[cid.Cid][]byte
}

func (b *memBlobs) Put(_ context.Context, r io.Reader) (cid.Cid, int64, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return cid.Undef, 0, err
	}
	sum := sha256.Sum256(data)
	mh, _ := multihash.Encode(sum[:], multihash.SHA2_256)
	c := cid.NewCidV1(cid.Raw, mh)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[cid.Cid][]byte{}
	}
	b.m[c] = data
	return c, int64(len(data)), nil
}

func (b *memBlobs) Open(_ context.Context, c cid.Cid) (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.m[c]
	if !ok {
		return nil, store.ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (b *memBlobs) Delete(_ context.Context, c cid.Cid) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, c)
	return nil
}

// remoteKeys resolves the keys of grantees hosted elsewhere.
type remoteKeys struct {
	mu sync.Mutex
	m  map[string]crypt.PublicKey
}

func (r *remoteKeys) ResolveKey(_ context.Context, did string) (crypt.PublicKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.m[did]
	if !ok {
		return crypt.PublicKey{}, fmt.Errorf("no key record for %s: %w", did, store.ErrNotFound)
	}
	return k, nil
}

func (r *remoteKeys) set(did string, k crypt.PublicKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[did] = k
}

// env is a Service on a real store with alice hosted and an identity of
// her own, and remote grantees bob and erin with theirs.
type env struct {
	st     store.Store
	svc    *Service
	remote *remoteKeys
	blobs  *memBlobs
	bob    *crypt.Identity
	erin   *crypt.Identity
	code   string // alice's recovery code
}

// newMasterKey returns a random master key's sealer.
func newSealer(t testing.TB) *keys.Sealer {
	t.Helper()
	mk := make([]byte, keys.MasterKeySize)
	_, _ = rand.Read(mk)
	s, err := keys.NewSealer(mk)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newEnv builds an env on st.
func newEnv(t *testing.T, st store.Store) *env {
	t.Helper()
	ctx := t.Context()
	if _, err := st.CreateAccount(ctx, storetest.NewAccount(alice, "alice.test")); err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, remote: &remoteKeys{m: map[string]crypt.PublicKey{}}, blobs: &memBlobs{}}
	e.svc = e.service(t, newSealer(t))
	for _, p := range []struct {
		did string
		id  **crypt.Identity
	}{{bob, &e.bob}, {erin, &e.erin}} {
		id, err := crypt.NewIdentity()
		if err != nil {
			t.Fatal(err)
		}
		*p.id = id
		e.remote.set(p.did, id.Public())
	}
	created, err := e.svc.CreateIdentity(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	e.code = created.RecoveryCode
	return e
}

// service returns a Service over the env's store with this master key.
func (e *env) service(t *testing.T, sealer *keys.Sealer) *Service {
	t.Helper()
	svc, err := New(Config{Store: e.st, Sealer: sealer, Blobs: e.blobs, Keys: e.remote, BackupParams: cheap})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// granteeKeys fetches grantee's sealed grants of alice's diary (as the
// XRPC getGrantKeys would) and opens them with its identity.
func (e *env) granteeKeys(t *testing.T, grantee string, id *crypt.Identity) (*crypt.CollectionKeys, error) {
	t.Helper()
	sealed, err := e.svc.GrantKeys(t.Context(), grantee, alice, diary)
	if err != nil {
		return nil, err
	}
	return crypt.KeysFromGrants(id, alice, grantee, diary, sealed)
}

// readAll lists and opens alice's diary as grantee with ck; it returns
// rkey → text.
func (e *env) readAll(t *testing.T, grantee string, ck *crypt.CollectionKeys) (map[string]string, error) {
	t.Helper()
	rs, err := e.svc.ListEnvelopes(t.Context(), grantee, alice, diary, nil, 0)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rs {
		rec, err := ck.OpenRecord(r.RKeyMAC, r.Envelope)
		if err != nil {
			return nil, fmt.Errorf("open %x: %w", r.RKeyMAC[:4], err)
		}
		out[rec.RKey] = string(rec.Value)
	}
	return out, nil
}

// must fails the test on an error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// isErr fails the test unless err wraps target.
func isErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got %v, want %v", what, err, target)
	}
}

// note returns a record value with text.
func note(text string) []byte { return []byte(`{"text":"` + text + `"}`) }

// storetestAccount is a hosted account for did.
func storetestAccount(did string) store.NewAccount {
	return storetest.NewAccount(did, did[8:12]+".test")
}
