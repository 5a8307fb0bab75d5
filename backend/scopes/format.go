package scopes

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

// String returns the canonical scope string of s: "atproto", the transition
// scopes, then account, blob, identity, include, repo and rpc permissions,
// each group sorted. Parse(s.String()) gives back an equal Set, so the
// string can travel in a token claim. A legacy Set renders as the reference
// PDS's legacy scope claim ("com.atproto.access", ...), which Parse does not
// accept: legacy tokens are recognised by their own claim, never by an OAuth
// scope.
func (s Set) String() string {
	if s.legacy != NotLegacy {
		return s.legacy.String()
	}
	return strings.Join(s.Tokens(), " ")
}

// Tokens returns the canonical scope tokens of s, in String's order; the
// consent page shows one checkbox per token. A legacy Set has none.
func (s Set) Tokens() []string {
	if s.legacy != NotLegacy {
		return nil
	}
	var out []string
	if s.atproto {
		out = append(out, ScopeAtproto)
	}
	for _, n := range transitionNames {
		if s.trans&n.bit != 0 {
			out = append(out, n.scope)
		}
	}
	for _, a := range sortedKeys(s.account) {
		out = append(out, accountToken(a, s.account[a]))
	}
	for _, p := range sortedKeys(s.blob) {
		out = append(out, "blob:"+p)
	}
	for _, a := range sortedKeys(s.identity) {
		out = append(out, "identity:"+a)
	}
	for _, inc := range s.Includes() {
		out = append(out, inc.String())
	}
	out = append(out, s.repoTokens()...)
	out = append(out, s.rpcTokens()...)
	return out
}

func accountToken(attr string, l level) string {
	if l == levelManage {
		return "account:" + attr + "?action=manage"
	}
	return "account:" + attr
}

// String returns the include scope token.
func (i Include) String() string {
	if i.Aud == "" {
		return "include:" + i.NSID
	}
	return "include:" + i.NSID + "?aud=" + escapeParam(i.Aud)
}

// repoToken renders one repo permission over collections with actions a.
func repoToken(colls []string, a Action) string {
	var b strings.Builder
	b.WriteString("repo")
	sep := "?"
	if len(colls) == 1 {
		b.WriteString(":" + colls[0])
	} else {
		for _, c := range colls {
			b.WriteString(sep + "collection=" + escapeParam(c))
			sep = "&"
		}
	}
	if a&AllActions != AllActions {
		for _, n := range a.Names() {
			b.WriteString(sep + "action=" + n)
			sep = "&"
		}
	}
	return b.String()
}

// repoTokens groups collections sharing the same actions into one token.
func (s Set) repoTokens() []string {
	groups := map[Action][]string{}
	for _, c := range sortedKeys(s.repo) {
		groups[s.repo[c]] = append(groups[s.repo[c]], c)
	}
	var out [][]string
	acts := map[string]Action{}
	for a, colls := range groups {
		out = append(out, colls)
		acts[colls[0]] = a
	}
	slices.SortFunc(out, func(x, y []string) int { return cmp.Compare(x[0], y[0]) })
	toks := make([]string, len(out))
	for i, colls := range out {
		toks[i] = repoToken(colls, acts[colls[0]])
	}
	return toks
}

// rpcToken renders one rpc permission over methods lxms at audience aud.
func rpcToken(lxms []string, aud string) string {
	if len(lxms) == 1 {
		return "rpc:" + lxms[0] + "?aud=" + escapeParam(aud)
	}
	var b strings.Builder
	b.WriteString("rpc")
	sep := "?"
	for _, l := range lxms {
		b.WriteString(sep + "lxm=" + escapeParam(l))
		sep = "&"
	}
	b.WriteString("&aud=" + escapeParam(aud))
	return b.String()
}

// rpcTokens groups methods sharing an audience into one token.
func (s Set) rpcTokens() []string {
	byAud := map[string][]string{}
	for p := range s.rpc {
		byAud[p.aud] = append(byAud[p.aud], p.lxm)
	}
	var out []string
	for _, aud := range sortedKeys(byAud) {
		lxms := byAud[aud]
		slices.Sort(lxms)
		out = append(out, rpcToken(lxms, aud))
	}
	return out
}

// escapeParam percent-encodes a query parameter value as url.ParseQuery
// (which indigo uses) decodes it, leaving colons and wildcards readable: "#"
// becomes %23, and a "%" in a did:web port becomes %25.
func escapeParam(v string) string {
	return paramUnescaper.Replace(url.QueryEscape(v))
}

var paramUnescaper = strings.NewReplacer("%3A", ":", "%2A", "*")

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortIncludes(incs []Include) {
	slices.SortFunc(incs, func(a, b Include) int {
		return cmp.Or(cmp.Compare(a.NSID, b.NSID), cmp.Compare(a.Aud, b.Aud))
	})
}
