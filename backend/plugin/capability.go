package plugin

import "slices"

// Capability kinds.
const (
	CapHTTPFetch    = "http:fetch"
	CapKVRead       = "kv:read"
	CapKVWrite      = "kv:write"
	CapRecordRead   = "record:read"
	CapBlobRead     = "blob:read"
	CapXRPCRegister = "xrpc:register"
	CapFirehose     = "firehose:subscribe"
	CapRepoExport   = "repo:export"
	// CapPrivacyHooks lets a plugin declare the privacy hooks
	// (privacy.on_access_grant_request, privacy.on_key_rotation): it learns
	// who is granted or revoked which private collection, never a key or
	// a record.
	CapPrivacyHooks = "privacy:hooks"
)

var capKinds = map[string]bool{
	CapHTTPFetch: true, CapKVRead: true, CapKVWrite: true, CapRecordRead: true,
	CapBlobRead: true, CapXRPCRegister: true, CapFirehose: true, CapRepoExport: true,
	CapPrivacyHooks: true,
}

// importCaps maps each host import (module "pds") to the capability it
// needs; "" means always allowed.
var importCaps = map[string]string{
	"log": "", "config_get": "", "result": "",
	"kv_get": CapKVRead, "kv_list": CapKVRead,
	"kv_put": CapKVWrite, "kv_delete": CapKVWrite,
	"http_fetch": CapHTTPFetch,
	"record_get": CapRecordRead, "record_list": CapRecordRead,
	"blob_read":           CapBlobRead,
	"repo_export":         CapRepoExport,
	"firehose_cursor_get": CapFirehose, "firehose_cursor_set": CapFirehose,
}

// hookNames maps each hook (a guest export of the same name) to the
// capability it needs; "" means none.
var hookNames = map[string]string{
	"record.before_create": "", "record.before_update": "", "record.before_delete": "",
	"record.after_create": "", "record.after_update": "", "record.after_delete": "",
	"blob.before_upload": "", "blob.validate": "", "blob.after_upload": "",
	"xrpc.before": "", "xrpc.after": "",
	"xrpc.handle":                     CapXRPCRegister,
	"firehose.on_commit":              CapFirehose,
	"privacy.on_access_grant_request": CapPrivacyHooks, "privacy.on_key_rotation": CapPrivacyHooks,
}

// AnyHost is the http:fetch host entry meaning "whatever host the user
// grants". Declared in a manifest it covers every host a grant names (a
// webhook or backup plugin whose target is the user's choice), but it is
// never granted implicitly: a grant entry without hosts, or Enable with a
// nil grant, leaves it out. Only a grant naming "*" itself keeps it, and
// then the plugin may fetch from any host (the operator's address policy
// still applies).
const AnyHost = "*"

// Intersect returns the effective rights: the grant narrowed to what the
// manifest declares. A grant entry without lists takes the manifest's
// lists (but never AnyHost); list entries the manifest does not cover are
// dropped.
func Intersect(declared, grant []Capability) []Capability {
	var out []Capability
	for _, g := range grant {
		d, ok := findCap(declared, g.Kind)
		if !ok {
			continue
		}
		e := Capability{Kind: g.Kind,
			Hosts:       narrowHosts(d.Hosts, g.Hosts),
			Methods:     narrow(d.Methods, g.Methods, func(p, n string) bool { return p == n }),
			Collections: narrow(d.Collections, g.Collections, globMatch),
			NSIDs:       narrow(d.NSIDs, g.NSIDs, globMatch),
		}
		if (len(d.Hosts) > 0 && len(e.Hosts) == 0) || (len(d.Collections) > 0 && len(e.Collections) == 0) ||
			(len(d.NSIDs) > 0 && len(e.NSIDs) == 0) {
			continue // narrowed to nothing
		}
		out = append(out, e)
	}
	return out
}

func narrow(declared, granted []string, match func(pattern, name string) bool) []string {
	if len(granted) == 0 {
		return slices.Clone(declared)
	}
	var out []string
	for _, g := range granted {
		for _, d := range declared {
			if match(d, g) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// narrowHosts is narrow for http:fetch hosts: a declared AnyHost covers
// every granted host, and an empty grant takes the declared hosts except
// AnyHost, which must be granted by name.
func narrowHosts(declared, granted []string) []string {
	if len(granted) > 0 {
		return narrow(declared, granted, hostMatch)
	}
	return slices.DeleteFunc(slices.Clone(declared), func(h string) bool { return h == AnyHost })
}

// DefaultGrant is what enabling without a grant gives: everything the
// manifest declares, except AnyHost, which only a grant naming it gives.
func DefaultGrant(declared []Capability) []Capability {
	out := make([]Capability, len(declared))
	for i, c := range declared {
		c.Hosts = slices.DeleteFunc(slices.Clone(c.Hosts), func(h string) bool { return h == AnyHost })
		out[i] = c
	}
	return out
}
