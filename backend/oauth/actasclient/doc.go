// Package actasclient is the controller's side of acting as an account on
// the account's own PDS (docs/delegation.md, "Acting as the account"):
//
//  1. [Client.Discover] resolves the account's DID to its PDS, the PDS's
//     authorization server (whose metadata's issuer must equal its URL and
//     which must offer the RFC 8693 token exchange with DPoP ES256) and the
//     PDS's service DID (the audience of the actor token);
//  2. the caller mints the controller's service-auth JWT for that audience
//     and the method ExchangeMethod (its own PDS holds the signing key);
//  3. [Client.Exchange] trades it at the token endpoint for a DPoP-bound
//     act-as token (a fresh ES256 DPoP key each time; the use_dpop_nonce
//     round trip handled), which lives minutes and has no refresh token;
//  4. [Session.Call] makes XRPC calls with it, each with its own DPoP proof.
//
// Tokens and DPoP keys stay in memory and are never formatted into errors
// or logs. Plain http is accepted only for loopback hosts (development and
// tests); every other URL must be https.
package actasclient
