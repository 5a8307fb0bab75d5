// Package oauth is Hearth's OAuth 2.1 authorization server, as the atproto
// OAuth profile specifies it: server metadata, client metadata fetched by
// client_id URL (with the http://localhost development form), pushed
// authorization requests, PKCE S256, DPoP (ES256) with server nonces,
// client authentication "none" and "private_key_jwt", the account chooser,
// login and consent pages, the token endpoint with refresh-token rotation,
// revocation (RFC 7009), and the resource-server check the XRPC router
// calls for "Authorization: DPoP" requests.
//
// Controllers act as the accounts that granted them rights (Config.ActAs):
// tokens with sub = the account and act.sub = the controller, scoped to
// requested ∩ granted and re-checked on every request and refresh. They
// are obtained by signing in as a controller on the pages (a controller
// hosted here uses its password; one hosted elsewhere signs in at its own
// PDS, this server being an OAuth client of it: remote*.go), or headless by
// an RFC 8693 token exchange whose actor token is the controller's
// service-auth JWT (exchange.go).
//
// Access tokens are HS256 JWTs (typ at+jwt) under a key derived from the
// master key, so every instance on one database issues and accepts the
// same tokens; DPoP nonces derive from another derived key and the clock,
// and DPoP jti values are remembered in the store's nonce table, so
// instances agree on those too. Codes, refresh tokens and device cookies
// are stored only as SHA-256 hashes. See docs/oauth.md.
package oauth
