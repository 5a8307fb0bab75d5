// Package lexicon knows the atproto lexicon schemas Hearth ships with and
// validates records against them.
//
// The schemas are the JSON files published in indigo's module zip under
// lexicons/ (com.atproto.*, app.bsky.*, chat.bsky.*, tools.ozone.* and a few
// third-party namespaces). No Go package of indigo holds them, so go generate
// copies them into the lexicons/ directory beside this file, together with a
// SOURCE file naming the indigo version they came from, and the package embeds
// that copy. After bumping indigo in go.mod, run
//
//	go generate ./backend/lexicon
//
// and commit the result; a test fails while SOURCE and go.mod disagree.
//
// Three things are offered, each at a different cost:
//
//   - [Schema] returns one lexicon file's bytes straight from the embedded
//     tree; nothing is parsed.
//   - [Methods], [LookupMethod] and [Records] answer from a small index of
//     each file's main definition (NSID, kind, description), built on first
//     use by a shallow decode of every file (5-20 ms, about 3 MiB of RSS,
//     mostly the embedded files' pages). The XRPC layer uses it to tell a
//     method this server does not implement from one it should proxy.
//   - [ValidateRecord] checks a record with indigo's lexicon.ValidateRecord.
//     The full indigo catalog ([Catalog]) is loaded on the first validation of
//     a known collection (25-50 ms, about 1.5 MiB of live heap), not at
//     start-up, so a server that has not yet written a record pays neither
//     its time nor its memory.
//
// Validation is as lenient as the reference PDS: legacy blob references
// ({"cid", "mimeType"}) and loosely formatted datetimes inside a record are
// accepted, but a top-level createdAt must be a strict atproto datetime, and
// data in open unions whose $type is unknown is not checked. A record whose
// collection has no known lexicon is reported as [Unknown], not rejected;
// whether to accept it is the caller's decision (createRecord's validate
// parameter). indigo reports what is wrong with a record but not where; a
// [ValidationError] still names the field ("embed/images/0/alt"), found by
// validating the failing record's parts one at a time with the same
// validator.
//
// The package does not decode records: callers pass the atproto data model
// form produced by indigo's atdata.UnmarshalJSON or atdata.UnmarshalCBOR
// (integers as int64, blobs as atdata.Blob, links as atdata.CIDLink). It does
// not resolve lexicons over the network.
//
// Hearth's own lexicons (dev.hearthpds.*, the delegation methods) are
// written by hand under hearth/, beside the generated copy, and embedded the
// same way: Schema, Methods, LookupMethod and Catalog see both trees.
package lexicon

//go:generate go run ./internal/gen -out lexicons
