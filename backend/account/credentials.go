package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/store"
)

// ReserveSigningKey makes a signing key for an account that is to move
// here and returns its public did:key, so the key can go into the DID
// document before the account exists (com.atproto.server.reserveSigningKey).
// A DID that already has a reserved key gets the same one back.
func (l *Lifecycle) ReserveSigningKey(ctx context.Context, did string) (string, error) {
	if did != "" {
		if _, err := syntax.ParseDID(did); err != nil {
			return "", fmt.Errorf("%w: %q", ErrInvalidDID, did)
		}
		k, err := l.st.GetReservedKeyForDID(ctx, did)
		if err == nil {
			return k.KeyDID, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", fmt.Errorf("reserve signing key: %w", err)
		}
	}
	key, err := keys.GenerateSigningKey()
	if err != nil {
		return "", err
	}
	pub, err := key.PublicKey()
	if err != nil {
		return "", fmt.Errorf("reserve signing key: %w", err)
	}
	keyDID := pub.DIDKey()
	sealed, err := keys.SealPrivateKey(l.svc.cfg.Sealer, key, reservedKeyAD(keyDID))
	if err != nil {
		return "", err
	}
	rk := store.ReservedKey{KeyDID: keyDID, DID: did, Sealed: sealed, CreatedAt: l.now().UTC()}
	if err := l.st.ReserveSigningKey(ctx, rk); err != nil {
		return "", fmt.Errorf("reserve signing key: %w", err)
	}
	return keyDID, nil
}

// Credentials are what an account's DID document should say for it to be
// hosted here (com.atproto.identity.getRecommendedDidCredentials).
type Credentials struct {
	RotationKeys        []string
	AlsoKnownAs         []string
	VerificationMethods map[string]string
	Services            map[string]identity.OpService
}

// RecommendedCredentials returns the rotation key this server holds for
// the account, its handle, its signing key and this server's endpoint.
func (l *Lifecycle) RecommendedCredentials(ctx context.Context, did string) (Credentials, error) {
	acct, err := l.account(ctx, did)
	if err != nil {
		return Credentials{}, err
	}
	sigKey, rotKeys, err := l.publicKeys(ctx, acct)
	if err != nil {
		return Credentials{}, err
	}
	c := Credentials{
		RotationKeys:        rotKeys,
		VerificationMethods: map[string]string{identity.KeyIDAtproto: sigKey},
		Services:            map[string]identity.OpService{identity.ServiceIDPDS: {Type: identity.ServiceTypePDS, Endpoint: l.svc.cfg.PublicURL}},
	}
	if acct.Handle != "" {
		c.AlsoKnownAs = []string{"at://" + acct.Handle}
	}
	return c, nil
}

// publicKeys returns the did:keys of the account's signing key and of the
// rotation key this server holds for it (none when it holds none).
func (l *Lifecycle) publicKeys(ctx context.Context, acct store.Account) (signing string, rotation []string, err error) {
	key, err := l.svc.SigningKey(ctx, acct.DID)
	if err != nil {
		return "", nil, err
	}
	pub, err := key.PublicKey()
	if err != nil {
		return "", nil, fmt.Errorf("signing key of %s: %w", acct.DID, err)
	}
	rot, err := l.rotationKey(acct)
	if err != nil || rot == nil {
		return pub.DIDKey(), []string{}, err
	}
	rotPub, err := rot.PublicKey()
	if err != nil {
		return "", nil, fmt.Errorf("rotation key of %s: %w", acct.DID, err)
	}
	return pub.DIDKey(), []string{rotPub.DIDKey()}, nil
}

// rotationKey opens the rotation key this server holds for the account
// (nil when the DID's rotation keys live elsewhere).
func (l *Lifecycle) rotationKey(acct store.Account) (atcrypto.PrivateKey, error) {
	if len(acct.RotationKey) == 0 {
		return nil, nil
	}
	k, err := keys.OpenPrivateKey(l.svc.cfg.Sealer, acct.RotationKey, rotationKeyAD(acct.DID))
	if err != nil {
		return nil, fmt.Errorf("rotation key of %s: %w", acct.DID, err)
	}
	return k, nil
}
