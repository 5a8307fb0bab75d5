package proxy

import (
	"strings"

	"github.com/hearthpds/hearth/backend/auth"
)

// localOnly are the session, credential, key and PLC methods that the
// reference PDS implements locally without listing them as protected: a
// server that has not registered one of them must still never forward it
// under a service token minted for the user.
var localOnly = map[string]bool{}

func init() {
	for _, n := range []string{
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
	} {
		localOnly[strings.ToLower(n)] = true
	}
}

// Protected reports whether a method must never be forwarded: the
// reference PDS's protected methods (auth.IsProtectedMethod), every
// com.atproto.admin.* method (operator methods authenticate with the admin
// password, which no service token carries) and the other account and
// credential methods. Method names compare case-insensitively, as in the
// reference PDS.
func Protected(nsid string) bool {
	l := strings.ToLower(nsid)
	return auth.IsProtectedMethod(l) || localOnly[l] || strings.HasPrefix(l, "com.atproto.admin.")
}

// Privileged reports whether forwarding a method needs a full session or a
// privileged app password (the chat methods and createAccount).
func Privileged(nsid string) bool { return auth.IsPrivilegedMethod(nsid) }
