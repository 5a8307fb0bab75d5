package store

import (
	"time"

	"github.com/ipfs/go-cid"
)

// TokenPurpose names what an account token is for.
type TokenPurpose string

// Token purposes.
const (
	TokenConfirmEmail  TokenPurpose = "confirm_email"
	TokenUpdateEmail   TokenPurpose = "update_email"
	TokenResetPassword TokenPurpose = "reset_password"
	TokenDeleteAccount TokenPurpose = "delete_account"
	TokenPLCOperation  TokenPurpose = "plc_operation"
)

// AccountToken is a stored single-use token: its hash, never the token.
type AccountToken struct {
	Purpose     TokenPurpose
	DID         string
	Hash        []byte
	RequestedAt time.Time
}

// Preference is one preference object: its $type and its JSON.
type Preference struct {
	Type  string
	Value []byte // the preference as JSON, $type included
}

// ReservedKey is a signing key reserved ahead of a migration. Sealed is the
// private key sealed under the master key.
type ReservedKey struct {
	KeyDID    string // the public key as did:key
	DID       string // the account it was reserved for ("" when unknown)
	Sealed    []byte
	CreatedAt time.Time
}

// Subject is what a moderation action applies to: an account (DID alone), a
// record (DID, Collection, RKey) or a blob (DID, Blob).
type Subject struct {
	DID        string
	Collection string
	RKey       string
	Blob       *cid.Cid
}

// RepoImport is a whole repo to install.
type RepoImport struct {
	DID          string
	Prev         *cid.Cid
	ReplaceEmpty bool // Prev nil: an existing repo with no records may be replaced
	Root         RepoRoot
	Blocks       []Block
	Records      []RecordChange // every record of the repo (CID set)
	Event        *Event
}
