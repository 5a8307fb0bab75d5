package xrpc_test

import "testing"

// TestBadInputPlugin: the dev.hearthpds.plugin.* admin methods refuse bad
// credentials and malformed input with 4xx errors naming the problem.
func TestBadInputPlugin(t *testing.T) {
	s := newSession(t)
	const ns = "dev.hearthpds.plugin."
	for _, p := range []string{"install", "enable", "disable", "reload", "uninstall"} {
		runBadCases(t, s, commonBodyCases(ns+p, "admin"))
		runBadCases(t, s, []badCase{
			{name: "no auth", method: "POST", nsid: ns + p, body: "{}", status: 401, errName: "AuthRequired"},
			{name: "user token", method: "POST", nsid: ns + p, body: "{}", auth: "user", status: 401, errName: "AuthRequired"},
			{name: "bad token", method: "POST", nsid: ns + p, body: "{}", auth: "bad", status: 401, errName: "AuthRequired"},
		})
	}
	for _, q := range []string{"list", "inspect"} {
		runBadCases(t, s, []badCase{
			{name: "no auth", method: "GET", nsid: ns + q, status: 401, errName: "AuthRequired"},
			{name: "user token", method: "GET", nsid: ns + q, auth: "user", status: 401, errName: "AuthRequired"},
			{name: "POST on a query", method: "POST", nsid: ns + q, body: "{}", auth: "admin", status: 405, errName: "InvalidRequest"},
		})
	}
	runBadCases(t, s, []badCase{
		{name: "inspect without id", method: "GET", nsid: ns + "inspect", auth: "admin", status: 400, errName: "InvalidRequest"},
		{name: "inspect unknown", method: "GET", nsid: ns + "inspect", query: "id=dev.nope.plugin", auth: "admin", status: 400, errName: "PluginNotFound"},
		{name: "install without path", method: "POST", nsid: ns + "install", body: `{}`, auth: "admin", status: 400, errName: "InvalidRequest"},
		{name: "install path wrong type", method: "POST", nsid: ns + "install", body: `{"path":5}`, auth: "admin", status: 400, errName: "InvalidRequest"},
		{name: "install relative path", method: "POST", nsid: ns + "install", body: `{"path":"plugins/x"}`, auth: "admin", status: 400, errName: "InvalidRequest"},
		{name: "install missing folder", method: "POST", nsid: ns + "install", body: `{"path":"/nonexistent/plugin"}`, auth: "admin", status: 400, errName: "InvalidRequest"},
		{name: "install not a bundle", method: "POST", nsid: ns + "install", body: `{"path":"/etc/hostname"}`, auth: "admin", status: 400, errName: "InvalidPlugin"},
		{name: "enable without id", method: "POST", nsid: ns + "enable", body: `{}`, auth: "admin", status: 400, errName: "InvalidRequest"},
		{name: "enable unknown", method: "POST", nsid: ns + "enable", body: `{"id":"dev.nope.plugin"}`, auth: "admin", status: 400, errName: "PluginNotFound"},
		{name: "enable grant wrong type", method: "POST", nsid: ns + "enable", body: `{"id":"dev.nope.plugin","grant":"all"}`, auth: "admin", status: 400, errName: "InvalidRequest"},
		{name: "enable grant without kind", method: "POST", nsid: ns + "enable", body: `{"id":"dev.nope.plugin","grant":[{}]}`, auth: "admin", status: 400, errName: "InvalidRequest"},
		{name: "disable unknown", method: "POST", nsid: ns + "disable", body: `{"id":"dev.nope.plugin"}`, auth: "admin", status: 400, errName: "PluginNotFound"},
		{name: "reload unknown", method: "POST", nsid: ns + "reload", body: `{"id":"dev.nope.plugin"}`, auth: "admin", status: 400, errName: "PluginNotFound"},
		{name: "reload relative path", method: "POST", nsid: ns + "reload", body: `{"id":"dev.nope.plugin","path":"x"}`, auth: "admin", status: 400, errName: "InvalidRequest"},
		{name: "uninstall unknown", method: "POST", nsid: ns + "uninstall", body: `{"id":"dev.nope.plugin"}`, auth: "admin", status: 400, errName: "PluginNotFound"},
		{name: "uninstall wipe wrong type", method: "POST", nsid: ns + "uninstall", body: `{"id":"dev.nope.plugin","wipe":"yes"}`, auth: "admin", status: 400, errName: "InvalidRequest"},
	})
}
