package xrpc

import (
	"sort"

	"github.com/hearthpds/hearth/backend/scopes"
)

// needKind is how a method's permission is checked.
type needKind uint8

const (
	// needAtproto: authenticating is enough (reads, sessions).
	needAtproto needKind = iota + 1
	// needAccount: account:<attr>?action=<action>, checked by the router.
	needAccount
	// needIdentity: identity:<attr>, checked by the router.
	needIdentity
	// needLegacy: a legacy session or app password (the auth level says
	// which); OAuth tokens are refused, as the reference PDS keeps app
	// passwords and account deletion to password sessions.
	needLegacy
	// needHandler: the handler checks what the call resolves to (repo
	// writes, blobs, rpc calls) with Call.RequireRepo, RequireBlob and
	// RequireRPC, or its own rule (delegation management).
	needHandler
)

// Need is what a method requires of an authenticated user's permissions
// (Viewer.Permissions) on top of its AuthLevel. Service-auth and admin
// callers are outside permission scopes.
type Need struct {
	kind         needKind
	attr, action string
	// noActor refuses a controller acting as the account (Viewer.Actor),
	// whatever its scope: identity, account management, app passwords.
	noActor bool
	// detail says what a needHandler method checks, for the docs.
	detail string
}

// String returns the scope the need names, as refusals show it.
func (n Need) String() string {
	switch n.kind {
	case needAtproto:
		return scopes.ScopeAtproto
	case needAccount:
		return "account:" + n.attr + "?action=" + n.action
	case needIdentity:
		return "identity:" + n.attr
	case needLegacy:
		return "a session opened with a password (not an OAuth token)"
	case needHandler:
		return n.detail
	}
	return "an undeclared permission"
}

// Doc describes the need in the words of docs/oauth.md's table.
func (n Need) Doc() string {
	var s string
	switch n.kind {
	case needAtproto:
		s = "`atproto`"
	case needAccount, needIdentity:
		s = "`" + n.String() + "`"
	case needLegacy:
		s = "password session or app password only (OAuth refused)"
	case needHandler:
		s = "in the method: " + n.detail
	}
	if n.noActor {
		s += "; never a controller"
	}
	return s
}

func atprotoOnly() Need            { return Need{kind: needAtproto} }
func byHandler(detail string) Need { return Need{kind: needHandler, detail: detail} }
func ownerOnly() Need {
	return Need{kind: needHandler, noActor: true, detail: "`account:*?action=manage` or a password session"}
}
func legacyOnly() Need              { return Need{kind: needLegacy, noActor: true} }
func identityNeed(attr string) Need { return Need{kind: needIdentity, attr: attr, noActor: true} }
func accountManage(attr string) Need {
	return Need{kind: needAccount, attr: attr, action: scopes.AccountManage, noActor: true}
}

const (
	repoCreate = "`repo:<collection>?action=create`"
	rpcAt      = "`rpc:<method>?aud=<service>`, at "
)

// permissions declares, for every registered method that authenticates
// users (see AuthenticatesUsers), what the caller's permissions must allow.
// A method missing here refuses every user (fail closed), and the server's
// tests fail on it, so a new route cannot skip scopes.
var permissions = map[string]Need{
	// Sessions and reads: authentication is enough.
	"com.atproto.server.getSession":                     atprotoOnly(),
	"com.atproto.server.refreshSession":                 atprotoOnly(),
	"com.atproto.server.deleteSession":                  atprotoOnly(),
	"com.atproto.server.checkAccountStatus":             atprotoOnly(),
	"com.atproto.server.getAccountInviteCodes":          atprotoOnly(),
	"com.atproto.temp.checkSignupQueue":                 atprotoOnly(),
	"com.atproto.repo.getRecord":                        atprotoOnly(),
	"com.atproto.repo.listRecords":                      atprotoOnly(),
	"com.atproto.repo.describeRepo":                     atprotoOnly(),
	"com.atproto.repo.listMissingBlobs":                 atprotoOnly(),
	"com.atproto.sync.getBlob":                          atprotoOnly(),
	"com.atproto.sync.listBlobs":                        atprotoOnly(),
	"com.atproto.sync.getRepo":                          atprotoOnly(),
	"com.atproto.sync.getCheckout":                      atprotoOnly(),
	"com.atproto.sync.getRecord":                        atprotoOnly(),
	"com.atproto.sync.getBlocks":                        atprotoOnly(),
	"com.atproto.sync.getLatestCommit":                  atprotoOnly(),
	"com.atproto.sync.getHead":                          atprotoOnly(),
	"com.atproto.server.listAppPasswords":               legacyOnly(),
	"com.atproto.server.createAppPassword":              legacyOnly(),
	"com.atproto.server.revokeAppPassword":              legacyOnly(),
	"com.atproto.server.requestAccountDelete":           legacyOnly(),
	"com.atproto.server.requestEmailUpdate":             accountManage(scopes.AccountEmail),
	"com.atproto.server.updateEmail":                    accountManage(scopes.AccountEmail),
	"com.atproto.server.requestEmailConfirmation":       accountManage(scopes.AccountEmail),
	"com.atproto.server.confirmEmail":                   accountManage(scopes.AccountEmail),
	"com.atproto.server.activateAccount":                accountManage(scopes.AccountStatus),
	"com.atproto.server.deactivateAccount":              accountManage(scopes.AccountStatus),
	"com.atproto.repo.importRepo":                       accountManage(scopes.AccountRepo),
	"com.atproto.identity.updateHandle":                 identityNeed(scopes.IdentityHandle),
	"com.atproto.identity.getRecommendedDidCredentials": identityNeed(scopes.IdentityAll),
	"com.atproto.identity.requestPlcOperationSignature": identityNeed(scopes.IdentityAll),
	"com.atproto.identity.signPlcOperation":             identityNeed(scopes.IdentityAll),
	"com.atproto.identity.submitPlcOperation":           identityNeed(scopes.IdentityAll),
	// Checked per call by the handler.
	"com.atproto.repo.createRecord":       byHandler(repoCreate),
	"com.atproto.repo.putRecord":          byHandler("`repo:<collection>?action=create` and `action=update`"),
	"com.atproto.repo.deleteRecord":       byHandler("`repo:<collection>?action=delete`"),
	"com.atproto.repo.applyWrites":        byHandler("`repo:<collection>?action=<action>` for each write"),
	"com.atproto.repo.uploadBlob":         byHandler("`blob:<type>` for the declared and the sniffed type"),
	"com.atproto.server.getServiceAuth":   byHandler("OAuth: `rpc:<lxm>?aud=<aud>` (`rpc:*` without lxm)"),
	"com.atproto.moderation.createReport": byHandler(rpcAt + "the report service"),
	"app.bsky.actor.getPreferences":       byHandler(rpcAt + "the AppView (served here)"),
	"app.bsky.actor.putPreferences":       byHandler(rpcAt + "the AppView (served here)"),
	// Delegation management: never an act-as token; requireOwner checks
	// the rest (account:*?action=manage or a password session).
	scopes.DelegationNSIDPrefix + "listControllers":        ownerOnly(),
	scopes.DelegationNSIDPrefix + "addController":          ownerOnly(),
	scopes.DelegationNSIDPrefix + "updateController":       ownerOnly(),
	scopes.DelegationNSIDPrefix + "removeController":       ownerOnly(),
	scopes.DelegationNSIDPrefix + "listControlledAccounts": ownerOnly(),
	scopes.DelegationNSIDPrefix + "getAuditLog":            ownerOnly(),
	scopes.DelegationNSIDPrefix + "listPresets":            ownerOnly(),
	// Private records: the account itself (never a controller); writes
	// need repo:<collection> for their action, encrypted blobs blob:application/octet-stream,
	// reads atproto (ciphertext and sealed grants only open with keys the
	// server never holds). Deciding who reads (grants, rotations,
	// re-encryption) and the key backup need the account's password
	// session or account:*?action=manage. Grantees' PDSes call the read
	// methods with service auth, outside scopes.
	PrivateNSIDPrefix + "putRecord":            privateNeed("`repo:<collection>?action=create` and `action=update`"),
	PrivateNSIDPrefix + "deleteRecord":         privateNeed("`repo:<collection>?action=delete`"),
	PrivateNSIDPrefix + "uploadBlob":           privateNeed("`blob:application/octet-stream`"),
	PrivateNSIDPrefix + "getEncryptedRecord":   privateNeed("`atproto`"),
	PrivateNSIDPrefix + "listEncryptedRecords": privateNeed("`atproto`"),
	PrivateNSIDPrefix + "getBlob":              privateNeed("`atproto`"),
	PrivateNSIDPrefix + "getGrantKeys":         privateNeed("`atproto`"),
	PrivateNSIDPrefix + "listCollections":      privateNeed("`atproto`"),
	PrivateNSIDPrefix + "listGrants":           privateNeed("`atproto`"),
	PrivateNSIDPrefix + "listRotations":        privateNeed("`atproto`"),
	PrivateNSIDPrefix + "grantAccess":          ownerOnly(),
	PrivateNSIDPrefix + "revokeAccess":         ownerOnly(),
	PrivateNSIDPrefix + "rotateKey":            ownerOnly(),
	PrivateNSIDPrefix + "reencryptRecords":     ownerOnly(),
	CryptoNSIDPrefix + "putKeyBackup":          ownerOnly(),
	CryptoNSIDPrefix + "getKeyBackup":          ownerOnly(),
}

// NeedOf returns what the method nsid declares, and whether it declares
// anything.
func NeedOf(nsid string) (Need, bool) {
	n, ok := permissions[nsid]
	return n, ok
}

// AuthenticatesUsers reports whether a method of level l may see a user's
// credentials (a session, an app password or an OAuth token): such methods
// must declare a Need. Admin and service-auth levels do not.
func AuthenticatesUsers(l AuthLevel) bool {
	switch l {
	case OptionalAuth, AccessAuth, FullAccessAuth, RefreshAuth, AccessOrServiceAuth:
		return true
	}
	return false
}

// Undeclared returns, sorted, the registered methods that authenticate
// users but declare no Need (the router refuses every user of them).
func (rt *Router) Undeclared() []string {
	var out []string
	for nsid, m := range rt.methods {
		if _, ok := permissions[nsid]; !ok && AuthenticatesUsers(m.Auth) {
			out = append(out, nsid)
		}
	}
	sort.Strings(out)
	return out
}

// Declared returns, sorted, the methods the permission table declares.
func Declared() []string {
	out := make([]string, 0, len(permissions))
	for nsid := range permissions {
		out = append(out, nsid)
	}
	sort.Strings(out)
	return out
}
