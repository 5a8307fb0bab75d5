package scopes

import (
	"fmt"
	"slices"
	"strings"
)

// knownCollections names a few well-known record types in plain words.
var knownCollections = map[string]string{
	"app.bsky.feed.post":       "posts",
	"app.bsky.feed.like":       "likes",
	"app.bsky.feed.repost":     "reposts",
	"app.bsky.graph.follow":    "follows",
	"app.bsky.graph.block":     "blocks",
	"app.bsky.graph.list":      "lists",
	"app.bsky.graph.listitem":  "list entries",
	"app.bsky.actor.profile":   "your profile",
	"app.bsky.feed.threadgate": "reply settings",
}

// blobWords names the upload patterns in plain words.
var blobWords = map[string]string{
	"*/*":     "Upload files of any kind",
	"image/*": "Upload images",
	"video/*": "Upload videos",
	"audio/*": "Upload audio",
	"text/*":  "Upload text files",
}

// Describe returns one plain-words line per permission of s, in String's
// order, for the consent and delegation pages.
func (s Set) Describe() []string {
	switch s.legacy {
	case LegacyPassword:
		return []string{"Full access to your account"}
	case LegacyAppPasswordPrivileged:
		return []string{"Everything, chat included, except changing account settings and taking control of your DID document"}
	case LegacyAppPassword:
		return []string{"Everything except chat, changing account settings and taking control of your DID document"}
	}
	var out []string
	if s.atproto {
		out = append(out, "Know which account you are (your DID and handle)")
	}
	if s.trans&transGeneric != 0 {
		out = append(out, "Create, change and delete any records, upload files and use any service except chat (transition:generic)")
	}
	if s.trans&transChat != 0 {
		out = append(out, "Read and send your chat messages")
	}
	if s.trans&transEmail != 0 {
		out = append(out, "See your email address")
	}
	for _, a := range sortedKeys(s.account) {
		out = append(out, describeAccount(a, s.account[a]))
	}
	for _, p := range sortedKeys(s.blob) {
		if w, ok := blobWords[strings.ToLower(p)]; ok {
			out = append(out, w)
		} else {
			out = append(out, "Upload "+p+" files")
		}
	}
	switch {
	case s.identity[IdentityAll]:
		out = append(out, "Change your handle and take full control of your DID document")
	case s.identity[IdentityHandle]:
		out = append(out, "Change your handle")
	}
	for _, inc := range s.Includes() {
		line := "Use the permissions of the set " + inc.NSID
		if inc.Aud != "" {
			line += " with " + describeAud(inc.Aud)
		}
		out = append(out, line)
	}
	out = append(out, s.describeRepo()...)
	out = append(out, s.describeRPC()...)
	return out
}

func describeAccount(attr string, l level) string {
	switch {
	case attr == AccountEmail && l == levelManage:
		return "See and change your email address"
	case attr == AccountEmail:
		return "See your email address"
	case attr == AccountRepo && l == levelManage:
		return "Import a whole repository (account migration)"
	case attr == AccountRepo:
		return "Nothing yet (account:repo read grants no access)"
	case attr == AccountStatus && l == levelManage:
		return "See your account's hosting status and activate or deactivate it"
	case attr == AccountStatus:
		return "See your account's hosting status"
	}
	return fmt.Sprintf("Account %s: %s", attr, l)
}

// describeRepo writes one line per group of collections sharing actions,
// in String's order.
func (s Set) describeRepo() []string {
	groups := groupByAction(s.repo)
	firsts := make([]string, 0, len(groups))
	byFirst := map[string]Action{}
	for a, colls := range groups {
		firsts = append(firsts, colls[0])
		byFirst[colls[0]] = a
	}
	slices.Sort(firsts)
	out := make([]string, len(firsts))
	for i, f := range firsts {
		a := byFirst[f]
		out[i] = actionVerbs(a) + " " + describeCollections(groups[a])
	}
	return out
}

func groupByAction(m map[string]Action) map[Action][]string {
	g := map[Action][]string{}
	for _, c := range sortedKeys(m) {
		g[m[c]] = append(g[m[c]], c)
	}
	return g
}

// actionVerbs returns "Create", "Create and delete", "Create, update and
// delete".
func actionVerbs(a Action) string {
	names := a.Names()
	if len(names) > 1 {
		names = append(names[:len(names)-2], names[len(names)-2]+" and "+names[len(names)-1])
	}
	v := strings.Join(names, ", ")
	return strings.ToUpper(v[:1]) + v[1:]
}

func describeCollections(colls []string) string {
	if slices.Contains(colls, "*") {
		return "records in any collection"
	}
	words := make([]string, len(colls))
	for i, c := range colls {
		if w, ok := knownCollections[c]; ok {
			words[i] = w + " (" + c + ")"
		} else {
			words[i] = c + " records"
		}
	}
	return strings.Join(words, ", ")
}

// describeRPC writes one line per rpc token.
func (s Set) describeRPC() []string {
	byAud := map[string][]string{}
	for p := range s.rpc {
		byAud[p.aud] = append(byAud[p.aud], p.lxm)
	}
	var out []string
	for _, aud := range sortedKeys(byAud) {
		lxms := byAud[aud]
		slices.Sort(lxms)
		what := strings.Join(lxms, ", ")
		if slices.Contains(lxms, "*") {
			what = "any method"
		}
		out = append(out, "Call "+what+" at "+describeAud(aud))
	}
	return out
}

func describeAud(aud string) string {
	if aud == "*" {
		return "any service"
	}
	return aud
}
