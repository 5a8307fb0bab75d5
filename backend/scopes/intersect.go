package scopes

import "slices"

// Intersect returns what both requested and granted allow, and the tokens of
// requested that the result does not fully allow (for the consent page).
//
// The intersection is semantic, permission by permission: collections and
// actions (repo:* under a grant of repo:*?action=create gives
// repo:*?action=create, never repo:*), blob patterns (image/* ∩ */* =
// image/*; image/png ∩ image/* = image/png), rpc methods and audiences
// ("*" meets anything), account attributes at the lower action, identity
// attributes. Transition scopes survive only when both sides carry them;
// otherwise transition:generic meets the other side's granular repo, blob and
// rpc permissions (chat.bsky.* excluded). Where the exact intersection has no
// scope form it is under-approximated: the result never allows what either
// side refuses.
//
// include: scopes must be expanded (Set.Expand) on both sides first; one left
// unexpanded in requested is dropped. A legacy Set counts as the rights it
// stands for; the result is always an OAuth Set.
func Intersect(requested, granted Set) (Set, []string) {
	req, gr := asOAuth(requested), asOAuth(granted)
	out := empty()
	out.atproto = req.atproto && gr.atproto
	out.trans = req.trans & gr.trans

	reqRepo, grRepo := req.effectiveRepo(), gr.effectiveRepo()
	for rc, ra := range reqRepo {
		for gc, ga := range grRepo {
			c, ok := meetWildcard(rc, gc)
			if a := ra & ga; ok && a != 0 {
				out.repo[c] |= a
			}
		}
	}

	reqBlob, grBlob := req.effectiveBlob(), gr.effectiveBlob()
	for rp := range reqBlob {
		for gp := range grBlob {
			if p, ok := patternIntersect(rp, gp); ok {
				out.blob[p] = true
			}
		}
	}

	for rp := range req.rpc {
		for gp := range gr.rpc {
			if p, ok := rpcIntersect(rp, gp); ok {
				out.rpc[p] = true
			}
		}
		if transCoversRPC(gr.trans, rp) {
			out.rpc[rp] = true
		}
	}
	for gp := range gr.rpc {
		if transCoversRPC(req.trans, gp) {
			out.rpc[gp] = true
		}
	}

	reqAcc, grAcc := req.effectiveAccount(), gr.effectiveAccount()
	for a, rl := range reqAcc {
		if l := min(rl, grAcc[a]); l != levelNone {
			out.account[a] = l
		}
	}

	for ra := range req.identity {
		for ga := range gr.identity {
			if a, ok := meetWildcard(ra, ga); ok {
				out.identity[a] = true
			}
		}
	}

	out.normalize()
	return out, dropped(req, out)
}

// asOAuth returns s, or the OAuth equivalent of a legacy Set.
func asOAuth(s Set) Set {
	if s.legacy != NotLegacy {
		return legacyEquivalent(s.legacy)
	}
	return s
}

// effectiveRepo returns s's repo permissions with transition:generic written
// as repo:*.
func (s Set) effectiveRepo() map[string]Action {
	if s.trans&transGeneric != 0 {
		return map[string]Action{"*": AllActions}
	}
	return s.repo
}

// effectiveBlob returns s's blob patterns with transition:generic written as
// blob:*/*.
func (s Set) effectiveBlob() map[string]bool {
	if s.trans&transGeneric != 0 {
		return map[string]bool{"*/*": true}
	}
	return s.blob
}

// effectiveAccount returns s's account levels with transition:email written
// as account:email.
func (s Set) effectiveAccount() map[string]level {
	if s.trans&transEmail == 0 {
		return s.account
	}
	m := map[string]level{}
	for a, l := range s.account {
		m[a] = l
	}
	m[AccountEmail] = max(m[AccountEmail], levelRead)
	return m
}

// dropped lists, as scope tokens, what req asks for that out does not fully
// allow: the lost actions of a repo permission, whole blob, rpc and identity
// permissions, the lost account action, transition scopes and includes.
func dropped(req, out Set) []string {
	var d []string
	if req.atproto && !out.atproto {
		d = append(d, ScopeAtproto)
	}
	for _, n := range transitionNames {
		if req.trans&n.bit != 0 && out.trans&n.bit == 0 {
			d = append(d, n.scope)
		}
	}
	outAcc := out.effectiveAccount()
	for _, a := range sortedKeys(req.account) {
		if outAcc[a] < req.account[a] {
			d = append(d, accountToken(a, req.account[a]))
		}
	}
	for _, p := range sortedKeys(req.blob) {
		if !out.coversPattern(p) {
			d = append(d, "blob:"+p)
		}
	}
	for _, a := range sortedKeys(req.identity) {
		if !out.identity[IdentityAll] && !out.identity[a] {
			d = append(d, "identity:"+a)
		}
	}
	for _, inc := range req.Includes() {
		d = append(d, inc.String())
	}
	for _, c := range sortedKeys(req.repo) {
		if lost := req.repo[c] &^ out.repoActions(c); lost != 0 {
			d = append(d, repoToken([]string{c}, lost))
		}
	}
	var lostRPC []string
	for p := range req.rpc {
		if !out.coversRPC(p) {
			lostRPC = append(lostRPC, rpcToken([]string{p.lxm}, p.aud))
		}
	}
	slices.Sort(lostRPC)
	return append(d, lostRPC...)
}

// repoActions returns the actions s allows on every record of collection c
// ("*": on all collections).
func (s Set) repoActions(c string) Action {
	if s.trans&transGeneric != 0 {
		return AllActions
	}
	if c == "*" {
		return s.repo["*"]
	}
	return s.repo["*"] | s.repo[c]
}

// coversPattern reports whether s allows every blob pattern p accepts.
func (s Set) coversPattern(p string) bool {
	if s.trans&transGeneric != 0 {
		return true
	}
	for q := range s.blob {
		if patternCovers(q, p) {
			return true
		}
	}
	return false
}

// coversRPC reports whether s allows every call p allows.
func (s Set) coversRPC(p rpcPerm) bool {
	if transCoversRPC(s.trans, p) {
		return true
	}
	for q := range s.rpc {
		if rpcCovers(q, p) {
			return true
		}
	}
	return false
}
