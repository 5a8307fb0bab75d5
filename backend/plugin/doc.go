// Package plugin hosts Hearth's WebAssembly plugins on wazero: it parses and
// validates plugin.toml manifests, checks a module's imports and exports
// against the capabilities it declares, runs each plugin in its own wazero
// runtime (memory limit, per-hook timeout, a /data directory and nothing
// else of the filesystem, real clocks and randomness), serves the host
// imports of the contract (log, config, kv, http fetch, records, blobs, repo
// export, firehose cursor) gated by the capabilities the user granted, and
// dispatches hooks (Host.BeforeRecord, Host.AfterRecord, …).
//
// The contract is docs/plugins.md and plugins/wit/hearth-plugin.wit; the
// guest side is the Go SDK in plugins/sdk/go.
//
// This package does not call itself from the write path: backend/repo and
// backend/xrpc call the Host's dispatch methods. It does not read records,
// blobs or repos itself either: it asks the Records, Blobs and Repos
// interfaces the server implements.
package plugin
