package proxy

import "strings"

// protected are methods that manage the account and its credentials: they
// must be called on the PDS itself, never forwarded under a service token
// minted for the user. It is the reference PDS's PROTECTED_METHODS, plus
// the other session, credential and PLC methods it implements locally (a
// server that has not registered them yet must still not forward them).
var protected = lowerSet(
	// The reference PDS's list.
	"com.atproto.admin.sendEmail",
	"com.atproto.identity.requestPlcOperationSignature",
	"com.atproto.identity.signPlcOperation",
	"com.atproto.identity.updateHandle",
	"com.atproto.server.activateAccount",
	"com.atproto.server.confirmEmail",
	"com.atproto.server.createAppPassword",
	"com.atproto.server.deactivateAccount",
	"com.atproto.server.getAccountInviteCodes",
	"com.atproto.server.getSession",
	"com.atproto.server.listAppPasswords",
	"com.atproto.server.requestAccountDelete",
	"com.atproto.server.requestEmailConfirmation",
	"com.atproto.server.requestEmailUpdate",
	"com.atproto.server.revokeAppPassword",
	"com.atproto.server.updateEmail",
	// Sessions, passwords, account deletion, keys and PLC operations.
	"com.atproto.server.createSession",
	"com.atproto.server.refreshSession",
	"com.atproto.server.deleteSession",
	"com.atproto.server.deleteAccount",
	"com.atproto.server.requestPasswordReset",
	"com.atproto.server.resetPassword",
	"com.atproto.server.reserveSigningKey",
	"com.atproto.server.getServiceAuth",
	"com.atproto.server.createInviteCode",
	"com.atproto.server.createInviteCodes",
	"com.atproto.identity.getRecommendedDidCredentials",
	"com.atproto.identity.submitPlcOperation",
)

// privileged are methods an app password may have forwarded only if it was
// created privileged: the chat.bsky methods and createAccount (the
// reference PDS's PRIVILEGED_METHODS).
var privileged = lowerSet(
	"chat.bsky.actor.deleteAccount",
	"chat.bsky.actor.exportAccountData",
	"chat.bsky.convo.deleteMessageForSelf",
	"chat.bsky.convo.getConvo",
	"chat.bsky.convo.getConvoForMembers",
	"chat.bsky.convo.getLog",
	"chat.bsky.convo.getMessages",
	"chat.bsky.convo.leaveConvo",
	"chat.bsky.convo.listConvos",
	"chat.bsky.convo.muteConvo",
	"chat.bsky.convo.sendMessage",
	"chat.bsky.convo.sendMessageBatch",
	"chat.bsky.convo.unmuteConvo",
	"chat.bsky.convo.updateRead",
	"com.atproto.server.createAccount",
)

// Protected reports whether a method must never be forwarded: every
// com.atproto.admin.* method (operator methods authenticate with the admin
// password, which no service token carries) and the account and credential
// methods. Method names compare case-insensitively, as in the reference PDS.
func Protected(nsid string) bool {
	l := strings.ToLower(nsid)
	return protected[l] || strings.HasPrefix(l, "com.atproto.admin.")
}

// Privileged reports whether forwarding a method needs a full session or a
// privileged app password.
func Privileged(nsid string) bool { return privileged[strings.ToLower(nsid)] }

func lowerSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = true
	}
	return m
}
