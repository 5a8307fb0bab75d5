// Package pdsplugin is the Go SDK for Hearth plugins: WebAssembly modules
// built with the standard toolchain (GOOS=wasip1 GOARCH=wasm go build
// -buildmode=c-shared) that the Hearth host loads with wazero.
//
// A plugin calls Register from main with the hooks it implements; the SDK
// exports every hook of the contract (plugins/wit/hearth-plugin.wit) and the
// host only calls those the plugin's plugin.toml declares. Host imports are
// wrapped as typed functions (KVGet, Fetch, GetRecord, ReadBlob, …), each of
// which the host checks against the capabilities the user granted.
//
// Inputs and answers use the compact wire format of docs/plugins.md
// (tagged, length-prefixed fields; records as DAG-CBOR). Record reads one
// field without decoding the whole record.
package pdsplugin
