// Package account is the account service: creating accounts (keys, did:plc
// genesis, the repo's first commit), logging in with a password or an app
// password, app passwords, invite codes, and handing the repo engine each
// account's signing key.
//
// It owns the rules (handle domains, invite requirement, password policy)
// and the secrets (keys are sealed under the master key before they reach
// the store; the store never sees them in clear). It does not speak HTTP.
package account
