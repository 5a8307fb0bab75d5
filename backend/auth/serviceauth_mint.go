package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	indigoauth "github.com/bluesky-social/indigo/atproto/auth"
	"github.com/bluesky-social/indigo/atproto/syntax"
)

// ServiceAuthParams describe a service-auth token to mint.
type ServiceAuthParams struct {
	Issuer   syntax.DID // the account
	Audience string     // a DID, or a DID with a #service fragment
	Method   string     // lxm; "" binds the token to no method
	// TTL is the token's lifetime (DefaultServiceAuthTTL when zero).
	TTL time.Duration
	// Key is the account's atproto signing key (K-256: ES256K, P-256: ES256).
	Key atcrypto.PrivateKey
}

// SignServiceAuth mints a service-auth JWT with indigo's signer: header
// typ JWT, payload iss, aud (a plain string), iat, exp, a random jti, and
// lxm when a method is named. It checks only the parameters' syntax; the
// lifetime rules of getServiceAuth are the caller's.
func SignServiceAuth(p ServiceAuthParams) (string, error) {
	if p.Key == nil {
		return "", errors.New("auth: sign service auth: no key")
	}
	if err := CheckAudience(p.Audience); err != nil {
		return "", err
	}
	var lxm *syntax.NSID
	if p.Method != "" {
		n, err := syntax.ParseNSID(p.Method)
		if err != nil {
			return "", fmt.Errorf("auth: sign service auth: lxm: %w", err)
		}
		lxm = &n
	}
	ttl := p.TTL
	if ttl <= 0 {
		ttl = DefaultServiceAuthTTL
	}
	tok, err := indigoauth.SignServiceAuth(p.Issuer, p.Audience, ttl, lxm, p.Key)
	if err != nil {
		return "", fmt.Errorf("auth: sign service auth: %w", err)
	}
	return tok, nil
}

// CheckAudience reports whether aud is a valid service-auth audience: a DID,
// optionally followed by #service-id.
func CheckAudience(aud string) error {
	did, frag, hasFrag := strings.Cut(aud, "#")
	if _, err := syntax.ParseDID(did); err != nil {
		return fmt.Errorf("auth: service auth audience %q is not a DID", aud)
	}
	if hasFrag && (frag == "" || strings.Contains(frag, "#")) {
		return fmt.Errorf("auth: service auth audience %q has a malformed fragment", aud)
	}
	return nil
}

// protectedMethods are account-management methods that must be called
// directly by the account holder: no service-auth token is minted for them
// and no proxied call may name them (the reference PDS's PROTECTED_METHODS).
var protectedMethods = methodSet(
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
)

// privilegedMethods need a full session or a privileged app password to
// be proxied or to get a service-auth token for (the reference PDS's
// PRIVILEGED_METHODS: the chat methods and createAccount).
var privilegedMethods = methodSet(
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

func methodSet(nsids ...string) map[string]bool {
	m := make(map[string]bool, len(nsids))
	for _, n := range nsids {
		m[strings.ToLower(n)] = true
	}
	return m
}

// IsProtectedMethod reports whether nsid is an account-management method
// that may not be reached through service auth or proxying.
func IsProtectedMethod(nsid string) bool { return protectedMethods[strings.ToLower(nsid)] }

// IsPrivilegedMethod reports whether nsid needs a privileged session to be
// reached through service auth or proxying.
func IsPrivilegedMethod(nsid string) bool { return privilegedMethods[strings.ToLower(nsid)] }
