// Package pluginexamples tests the example plugins of plugins/examples and
// the SDKs' examples end to end: each is built from source into a real
// WebAssembly module, installed and enabled on a running Hearth through
// the operator's dev.hearthpds.plugin.* methods over loopback HTTP, and
// driven through the server's public XRPC surface.
package pluginexamples
