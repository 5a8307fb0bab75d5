// Package proxy forwards XRPC calls that this PDS does not answer itself to
// the service that does: an AppView, a moderation (report) service, a chat
// service, or any service named by the caller.
//
// A call names its destination with the atproto-proxy header, "<did>#<id>":
// the DID of a service and the id of one service entry of its DID document.
// Without the header, [Defaults] picks one by method: reports go to the
// report service, tools.ozone.* to the moderation service, the other
// app.bsky.*, chat.bsky.* and com.atproto.* methods to the AppView; a method
// of any other namespace needs the header. The [Resolver] looks the service
// up through the identity directory, which caches DID documents, and checks
// that its endpoint is a URL this server may reach.
//
// Each forwarded call carries a fresh service-auth JWT instead of the user's
// session token: issuer the user's DID, audience the service's DID, lxm the
// method, signed with the user's repo signing key, valid for a minute. The
// service verifies it against the user's DID document.
//
// [Proxy.Forward] streams both ways: the request body goes on as it
// arrives and the response comes back as the service sends it, never held
// whole in memory. Only a chosen set of headers crosses in each direction
// (accept-encoding, accept-language, atproto-accept-labelers and the body's
// content headers going out; content headers, atproto-repo-rev,
// atproto-content-labelers and retry-after coming back). An error response
// of the service becomes an [Error] carrying its name and message, a 500
// becoming 502 UpstreamFailure, as the reference PDS does.
//
// [Handler] is the router's fallback for unknown methods: it refuses the
// account and credential methods that must never leave this server
// ([Protected]) and the privileged ones for app passwords without privilege
// ([Privileged]), authenticates the caller and forwards.
//
// By default the proxy's HTTP client refuses to connect to loopback,
// private and link-local addresses, checked on the address actually dialled
// (so DNS cannot smuggle one in), and service endpoints must be https.
// Config.AllowPrivate lifts both rules for development and tests.
//
// The package does not implement any method itself, does not rewrite
// responses (no read-after-write), and does not retry.
package proxy
