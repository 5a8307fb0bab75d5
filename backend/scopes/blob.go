package scopes

import "strings"

// Blob MIME patterns are "*/*", "type/*" or an exact "type/subtype", the
// syntax of the accept field of the lexicon blob type. MIME types are
// compared case-insensitively; patterns are stored as written.

// validMime reports whether m is a concrete MIME type: one slash with text
// on both sides, no wildcard, no space.
func validMime(m string) bool {
	t, sub, ok := strings.Cut(m, "/")
	return ok && t != "" && sub != "" && !strings.ContainsAny(m, "* ") &&
		!strings.Contains(sub, "/")
}

// patternCovers reports whether pattern p accepts every MIME type q accepts;
// q may itself be a pattern or a concrete type.
func patternCovers(p, q string) bool {
	p, q = strings.ToLower(p), strings.ToLower(q)
	switch {
	case p == "*/*" || p == q:
		return true
	case q == "*/*":
		return false
	case strings.HasSuffix(p, "/*"):
		return strings.HasPrefix(q, p[:len(p)-1])
	}
	return false
}

// patternIntersect returns the pattern accepting exactly the MIME types both
// p and q accept, if any. With the three pattern forms one always covers the
// other or they are disjoint (image/* and video/*, image/png and image/gif).
func patternIntersect(p, q string) (string, bool) {
	switch {
	case patternCovers(p, q):
		return q, true
	case patternCovers(q, p):
		return p, true
	}
	return "", false
}
