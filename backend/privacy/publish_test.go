package privacy

import (
	"context"
	"errors"
	"testing"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// fakePublisher records the key records published and undone.
type fakePublisher struct {
	published map[string]crypt.KeyRecord
	fail      error
}

func (p *fakePublisher) PublishKey(_ context.Context, did string, rec crypt.KeyRecord) (func(context.Context) error, error) {
	if p.fail != nil {
		return nil, p.fail
	}
	p.published[did] = rec
	return func(context.Context) error { delete(p.published, did); return nil }, nil
}

// TestCreateIdentityPublishes: a new identity's key record is published;
// an account with an identity publishes nothing; a failed store write
// unpublishes the record, and a failed publication stores no identity.
func TestCreateIdentityPublishes(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newEnv(t, open(t))
		pub := &fakePublisher{published: map[string]crypt.KeyRecord{}}
		svc, err := New(Config{Store: e.st, Sealer: newSealer(t), Publisher: pub})
		must(t, err)
		const dave, fred = "did:plc:dave00000000000000000000", "did:plc:fred00000000000000000000"
		for _, did := range []string{dave, fred} {
			_, err := e.st.CreateAccount(ctx, storetestAccount(did))
			must(t, err)
		}
		n, err := svc.CreateIdentity(ctx, dave)
		must(t, err)
		if got, ok := pub.published[dave]; !ok || got.KeyID != n.Public.KeyID() {
			t.Fatalf("published %+v", pub.published)
		}
		if _, err := svc.CreateIdentity(ctx, dave); !errors.Is(err, ErrIdentityExists) {
			t.Fatalf("second identity: %v", err)
		}
		if pub.published[dave].KeyID != n.Public.KeyID() {
			t.Fatal("a refused identity replaced the published record")
		}
		// No account: the store refuses, the record is taken back.
		if _, err := svc.CreateIdentity(ctx, "did:plc:nobody00000000000000000"); err == nil {
			t.Fatal("identity of an unknown account")
		}
		if _, ok := pub.published["did:plc:nobody00000000000000000"]; ok {
			t.Fatal("a failed identity left its record published")
		}
		pub.fail = errors.New("repo unavailable")
		if _, err := svc.CreateIdentity(ctx, fred); err == nil {
			t.Fatal("identity stored without its record")
		}
		if _, _, err := svc.PublicKey(ctx, fred); !errors.Is(err, ErrNoIdentity) {
			t.Fatalf("identity after a failed publication: %v", err)
		}
	})
}
