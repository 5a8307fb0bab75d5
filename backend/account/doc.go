// Package account is the account service: creating accounts (keys, did:plc
// genesis, the repo's first commit), logging in with a password or an app
// password, app passwords, invite codes, and handing the repo engine each
// account's signing key.
//
// Lifecycle (lifecycle.go and its neighbours) handles what happens to an
// account after sign-up: moving it in from another PDS (reserved signing
// keys, createAccount with an existing DID, importRepo, recommended DID
// credentials), activation and deactivation, deletion, handle changes, PLC
// operations signed with the rotation key this server holds for the account,
// and minting service-auth tokens with the account's signing key.
//
// It owns the rules (handle domains, invite requirement, password policy)
// and the secrets (keys are sealed under the master key before they reach
// the store; the store never sees them in clear). It does not speak HTTP.
package account
