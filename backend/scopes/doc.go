// Package scopes parses, checks and intersects atproto OAuth permission
// scopes, so that every route, the OAuth consent page and the delegation code
// ask one type, [Set], what a credential may do.
//
// # What a Set holds
//
// A [Set] is an immutable, normalised view of an OAuth scope string (the
// space-separated "scope" of a token request or claim), as the atproto
// permission spec defines it (https://atproto.com/specs/permission) and
// indigo's atproto/auth parses it:
//
//   - atproto: the required marker; [Parse] fails with [ErrNoAtproto] without it.
//   - transition:generic, transition:chat.bsky, transition:email: the coarse
//     scopes from before granular permissions (see the checks for their reach).
//   - repo:<collection|*>[?action=create&action=update&action=delete]: record
//     writes. Several actions are repeated "action" parameters; no action
//     means all three.
//   - blob:<mime pattern>: uploads ("*/*", "image/*", "image/png").
//   - rpc:<lxm|*>?aud=<did#service|*>: service-auth calls and proxied calls;
//     "*" may stand for the method or the audience, never both.
//   - account:<email|repo|status>[?action=read|manage]: hosting details;
//     manage includes read; no action means read.
//   - identity:<handle|*>: handle changes, or full DID document control.
//   - include:<nsid>[?aud=<did#service|*>]: a permission set, which grants
//     nothing until [Set.Expand] replaces it by the set's repo and rpc
//     permissions.
//
// Every token is parsed with indigo's auth.ParsePermissionString. Tokens it
// refuses, unknown resources and unknown transition scopes are left out of the
// Set and returned to the caller, as the spec asks ("skip, do not reject the
// whole request"). Two account forms indigo does not know are accepted as
// documented extensions: account:status, which the reference implementation
// (@atproto/oauth-scopes) defines, and the Hearth shorthand account:* (see
// below).
//
// Sets are normalised: a permission covered by another is removed
// (repo:app.bsky.feed.post under repo:*, blob:image/png under blob:image/*,
// identity:handle under identity:*), so [Set.String] is canonical and stable
// and round-trips through [Parse]; the token claim carries that string.
//
// # Decisions
//
//   - account:* is not atproto syntax (the spec: "Wildcard is not
//     supported"). Hearth reads it as shorthand for every account attribute it
//     knows (email, repo, status) at the given action and expands it while
//     parsing, so the canonical string never contains it. The owner preset of
//     the delegation design is written with it.
//   - The transition scopes follow the reference implementation
//     (ScopePermissionsTransition): transition:generic allows every repo write,
//     every blob and every rpc call except chat.bsky.* (which needs
//     transition:chat.bsky); it grants no account or identity rights.
//     transition:email allows reading the email address, not changing it.
//     One deliberate difference: rpc with lxm "*" (a service-auth token for
//     any method) under transition:generic also needs transition:chat.bsky,
//     since such a token reaches chat methods too.
//   - Legacy sessions and app passwords get Sets from [LegacySession] and
//     [Legacy], so routes check one type. [Set.IsFull] is true for all of
//     them. A password session may do everything. An app password may do
//     everything except managing account attributes and full identity
//     control, which the reference PDS keeps to password sessions
//     (updateEmail, importRepo, deactivateAccount, signPlcOperation are
//     registered with scopes ACCESS_FULL); only a privileged app password
//     reaches chat.bsky.*. Routes that the reference PDS keeps to password sessions
//     for reasons outside scopes (app password management, account deletion)
//     check [Set.LegacyKind].
//   - Intersections are semantic and never over-grant: where the exact
//     intersection cannot be written as scopes (transition:generic, which
//     excludes chat, against rpc:*?aud=X), the part is dropped and reported.
//
// # What the package does not do
//
// It does not resolve permission sets over the network: an [Expander] does
// (this package ships [MapExpander] and [LexiconExpander]; the lexicons Hearth
// embeds from indigo contain no permission sets today). It does not know
// routes: handlers map themselves to a check. It does not store grants.
package scopes
