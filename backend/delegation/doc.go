// Package delegation lets an account (the delegated account, D) allow
// another account (the controller, C) to act as it within a scope, and
// keeps the audit log of what happened under those grants.
//
// # The model
//
// A grant is a row per (D, C) pair: the granted scope (a canonical
// [scopes.Set] string), the preset it equals ("owner", "admin", "editor",
// "viewer") or "custom", who granted it and when, and when it was revoked.
// At most one grant per pair is active; revoked grants stay as history. D is
// an account hosted here; C may live on another PDS, so nothing requires C
// to be known locally.
//
// Delegation is one level deep: an account that is controlled cannot control
// others, and a controller cannot itself be delegated. The rule is checked
// against the grants this server knows, both ways, in the same store
// transaction as the insert; a controller hosted elsewhere may be delegated
// there without this server knowing.
//
// A grant may never include the management of grants: custom scopes naming
// dev.hearthpds.delegation.* methods are refused ([scopes.Delegable]), and
// the management methods themselves refuse every act-as token.
//
// # What other parts call
//
//   - [Service.ActiveGrant] and [EffectiveScope]: token issuance for act-as
//     (the OAuth login and the RFC 8693 exchange) checks the grant and
//     intersects the requested scope with it.
//   - [Service.ActAsScope]: because a grant can be narrowed or revoked
//     while tokens are out, every request made with an act-as token is
//     checked against the current grant (the token's scope intersected
//     with it; ErrNoGrant once revoked).
//   - [Service.RefreshCheck]: the same check before each refresh, with the
//     signature of oauth.Config.RefreshCheck.
//   - [Service.OnRevoke]: hooks run after a grant is revoked. The OAuth
//     server subscribes to revoke C's tokens for D. The app passwords C
//     created for D ([store.Delegation.CreateDelegatedAppPassword]) are
//     deleted with their refresh tokens in the revoking transaction itself.
//   - [Service.Audit]: records a token issued to C for D, or a write C made
//     as D.
//
// # What it does not do
//
// It issues no tokens and checks no requests: the OAuth server and the XRPC
// layer do, with the functions above. It does not reach other PDSes: a
// remote controller is a DID, resolved through the directory only to check
// that it exists.
package delegation
