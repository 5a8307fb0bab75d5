package scopes

// The checks answer one question each for a route. They never consult
// unexpanded include: scopes, which grant nothing until Set.Expand.

// AllowsRepo reports whether s allows action (a single Action) on records of
// collection. Spec: a repo permission names collections (or "*", all) and
// optionally actions; without actions it allows create, update and delete.
// transition:generic allows every write.
func (s Set) AllowsRepo(collection string, action Action) bool {
	if !single(action) {
		return false
	}
	if s.legacy != NotLegacy || s.trans&transGeneric != 0 {
		return true
	}
	return (s.repo["*"]|s.repo[collection])&action != 0
}

// single reports whether a is exactly one action.
func single(a Action) bool {
	return a == ActionCreate || a == ActionUpdate || a == ActionDelete
}

// AllowsBlob reports whether s allows uploading a blob of MIME type mime.
// Spec: blob permissions list accept patterns ("*/*", "image/*",
// "image/png"), matched as the lexicon blob type's accept field is.
// transition:generic allows any blob. A malformed mime is refused.
func (s Set) AllowsBlob(mime string) bool {
	if !validMime(mime) {
		return false
	}
	if s.legacy != NotLegacy || s.trans&transGeneric != 0 {
		return true
	}
	for p := range s.blob {
		if patternCovers(p, mime) {
			return true
		}
	}
	return false
}

// AllowsRPC reports whether s allows a service-auth or proxied call of method
// lxm at audience aud (a DID service reference "did:...#id"). Spec: an rpc
// permission matches when its lxm is "*" or equal and its aud is "*" or
// equal. transition:generic allows every method except chat.bsky.*, which
// transition:chat.bsky allows; lxm "*" (a token for any method) needs both.
// A non-privileged app password may not call chat.bsky.*.
func (s Set) AllowsRPC(lxm, aud string) bool {
	if lxm == "" || aud == "" {
		return false
	}
	switch s.legacy {
	case LegacyPassword, LegacyAppPasswordPrivileged:
		return true
	case LegacyAppPassword:
		return lxm != "*" && !isChat(lxm)
	}
	want := rpcPerm{lxm: lxm, aud: aud}
	if transCoversRPC(s.trans, want) {
		return true
	}
	for p := range s.rpc {
		if rpcCovers(p, want) {
			return true
		}
	}
	return false
}

// AllowsAccount reports whether s allows action ("read" or "manage") on the
// account attribute attr ("email", "repo", "status"). Spec: manage includes
// read. transition:email allows reading the email (as the reference
// implementation does); transition:generic grants no account rights. App
// passwords may read but not manage.
func (s Set) AllowsAccount(attr, action string) bool {
	lvl, ok := parseLevel(action)
	if !ok || action == "" || !knownAccountAttr(attr) {
		return false
	}
	switch s.legacy {
	case LegacyPassword:
		return true
	case LegacyAppPassword, LegacyAppPasswordPrivileged:
		return lvl == levelRead
	}
	if attr == AccountEmail && lvl == levelRead && s.trans&transEmail != 0 {
		return true
	}
	return s.account[attr] >= lvl
}

func knownAccountAttr(attr string) bool {
	return attr == AccountEmail || attr == AccountRepo || attr == AccountStatus
}

// AllowsIdentity reports whether s allows changing identity attribute attr:
// "handle", or "*" for full control of the DID document (PLC operations).
// Spec: identity:* includes the handle. No transition scope grants identity
// rights; app passwords may change the handle only.
func (s Set) AllowsIdentity(attr string) bool {
	if attr != IdentityHandle && attr != IdentityAll {
		return false
	}
	switch s.legacy {
	case LegacyPassword:
		return true
	case LegacyAppPassword, LegacyAppPasswordPrivileged:
		return attr == IdentityHandle
	}
	return s.identity[IdentityAll] || s.identity[attr]
}

// ManagesAccount reports whether s may manage every account attribute: a
// password session, or account:*?action=manage. Delegation management
// requires it (and, for an act-as token, is refused anyway: see CanDelegate).
func (s Set) ManagesAccount() bool {
	if s.legacy == LegacyPassword {
		return true
	}
	if s.legacy != NotLegacy {
		return false
	}
	for _, a := range accountAttrs {
		if s.account[a] < levelManage {
			return false
		}
	}
	return true
}
