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
)

var capKinds = map[string]bool{
	CapHTTPFetch: true, CapKVRead: true, CapKVWrite: true, CapRecordRead: true,
	CapBlobRead: true, CapXRPCRegister: true, CapFirehose: true, CapRepoExport: true,
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
	"privacy.on_access_grant_request": "", "privacy.on_key_rotation": "",
}

// Intersect returns the effective rights: the grant narrowed to what the
// manifest declares. A grant entry without lists takes the manifest's
// lists; list entries the manifest does not cover are dropped.
func Intersect(declared, grant []Capability) []Capability {
	var out []Capability
	for _, g := range grant {
		d, ok := findCap(declared, g.Kind)
		if !ok {
			continue
		}
		e := Capability{Kind: g.Kind,
			Hosts:       narrow(d.Hosts, g.Hosts, hostMatch),
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
