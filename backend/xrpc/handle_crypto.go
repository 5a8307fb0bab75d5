package xrpc

import (
	"context"
	"time"

	"github.com/hearthpds/hearth/backend/privacy/remote"
)

// CryptoNSIDPrefix is the namespace of the encryption-key methods.
const CryptoNSIDPrefix = "dev.hearthpds.crypto."

// cryptoMethods are dev.hearthpds.crypto.*: an account's published
// encryption key (anyone) and its passphrase-wrapped key backup (the
// account's own session only).
func (h *PrivateHandlers) cryptoMethods() []Method {
	ns := CryptoNSIDPrefix
	return []Method{
		{NSID: ns + "getPublicKey", Kind: Query, Auth: NoAuth, Handler: h.getPublicKey},
		{NSID: ns + "putKeyBackup", Kind: Procedure, Auth: AccessAuth, Handler: h.putKeyBackup},
		{NSID: ns + "getKeyBackup", Kind: Query, Auth: AccessAuth, Handler: h.getKeyBackup},
	}
}

// getPublicKey returns the encryption key of an account hosted here (the
// one its dev.hearthpds.crypto.encryptionKey/self record publishes), for a
// client to seal grants to. Accounts hosted elsewhere: ask their PDS.
func (h *PrivateHandlers) getPublicKey(ctx context.Context, c *Call) (any, error) {
	did, err := c.DID("did", true)
	if err != nil {
		return nil, err
	}
	pub, rec, err := h.Privacy.PublicKey(ctx, did)
	if err != nil {
		return nil, privateError(err)
	}
	return remote.PublishedKey{DID: did, KEMID: int(pub.KEMID), PublicKey: b64.EncodeToString(pub.Key), KeyID: pub.KeyID(),
		CreatedAt: rec.CreatedAt}, nil
}

type keyBackupIn struct {
	Backup string `json:"backup"`
}

type keyBackupOut struct {
	Backup    string `json:"backup"`
	KeyID     string `json:"keyId"`
	CreatedAt string `json:"createdAt,omitempty"`
}

// putKeyBackup stores the account's passphrase-wrapped seed, made by its
// client (opaque here: the server cannot open it).
func (h *PrivateHandlers) putKeyBackup(ctx context.Context, c *Call) (any, error) {
	owner, err := privManager(c)
	if err != nil {
		return nil, err
	}
	var in keyBackupIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	b, err := privBytes("backup", in.Backup)
	if err != nil {
		return nil, err
	}
	if err := h.Privacy.PutKeyBackup(ctx, owner, b); err != nil {
		return nil, privateError(err)
	}
	return struct{}{}, nil
}

// getKeyBackup returns the account's passphrase backup, for recovery on a
// new install.
func (h *PrivateHandlers) getKeyBackup(ctx context.Context, c *Call) (any, error) {
	owner, err := privManager(c)
	if err != nil {
		return nil, err
	}
	b, err := h.Privacy.KeyBackup(ctx, owner)
	if err != nil {
		return nil, privateError(err)
	}
	st, err := h.Privacy.BackupStatus(ctx, owner)
	if err != nil {
		return nil, privateError(err)
	}
	out := keyBackupOut{Backup: b64.EncodeToString(b), KeyID: st.KeyID}
	if st.PassphraseBackupAt != nil {
		out.CreatedAt = st.PassphraseBackupAt.UTC().Format(time.RFC3339Nano)
	}
	return out, nil
}
