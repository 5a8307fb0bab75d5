package scopes

// LegacyKind tells which non-OAuth credential a Set stands for.
type LegacyKind uint8

// Kinds of credential. The names of the legacy ones are the "scope" claims
// the reference PDS puts in their access tokens.
const (
	NotLegacy                   LegacyKind = iota // an OAuth scope
	LegacyAppPassword                             // com.atproto.appPass
	LegacyAppPasswordPrivileged                   // com.atproto.appPassPrivileged
	LegacyPassword                                // com.atproto.access
)

// String returns the reference PDS's scope claim for k, or "oauth".
func (k LegacyKind) String() string {
	switch k {
	case LegacyAppPassword:
		return "com.atproto.appPass"
	case LegacyAppPasswordPrivileged:
		return "com.atproto.appPassPrivileged"
	case LegacyPassword:
		return "com.atproto.access"
	}
	return "oauth"
}

// LegacySession returns the rights of a session opened with the account
// password: everything.
func LegacySession() Set {
	return Set{atproto: true, legacy: LegacyPassword}
}

// Legacy returns the rights of a session opened with an app password:
// everything except managing account attributes and full identity control;
// chat.bsky.* only when privileged.
func Legacy(privileged bool) Set {
	if privileged {
		return Set{atproto: true, legacy: LegacyAppPasswordPrivileged}
	}
	return Set{atproto: true, legacy: LegacyAppPassword}
}

// LegacyKind returns which credential s stands for; NotLegacy for OAuth.
func (s Set) LegacyKind() LegacyKind { return s.legacy }

// IsFull reports whether s is a legacy session or app password, which are
// not limited by OAuth scopes (see Legacy for what app passwords still may
// not do).
func (s Set) IsFull() bool { return s.legacy != NotLegacy }

// legacyEquivalent returns an OAuth Set granting what the legacy kind k
// grants, for intersecting. Every legacy right is expressible: the
// transition scopes cover repo, blob and rpc.
func legacyEquivalent(k LegacyKind) Set {
	s := empty()
	s.atproto = true
	s.trans = transGeneric | transEmail
	lvl := levelRead
	switch k {
	case LegacyPassword:
		s.trans |= transChat
		lvl = levelManage
		s.identity[IdentityAll] = true
	case LegacyAppPasswordPrivileged:
		s.trans |= transChat
		s.identity[IdentityHandle] = true
	default:
		s.identity[IdentityHandle] = true
	}
	for _, a := range accountAttrs {
		s.account[a] = lvl
	}
	s.normalize()
	return s
}
