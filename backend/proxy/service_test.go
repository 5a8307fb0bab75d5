package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/hearthpds/hearth/backend/proxy"
)

func TestParseService(t *testing.T) {
	valid := map[string]proxy.Service{
		"did:web:api.bsky.app#bsky_appview":                {DID: "did:web:api.bsky.app", ID: "bsky_appview"},
		"did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler": {DID: "did:plc:ar7c4by46qjdydhdevvrndac", ID: "atproto_labeler"},
	}
	for in, want := range valid {
		got, err := proxy.ParseService(in)
		if err != nil || got != want || got.String() != in {
			t.Errorf("ParseService(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "#bsky_appview", "did:web:api.bsky.app", "did:web:api.bsky.app#",
		"did:web:api.bsky.app#a#b", "did:web:api.bsky.app #x", "not-a-did#x", "did:web:api.bsky.app#a b",
	} {
		_, err := proxy.ParseService(in)
		var e *proxy.Error
		if err == nil || !asError(err, &e) || e.Status != http.StatusBadRequest || e.Name != "InvalidRequest" {
			t.Errorf("ParseService(%q) = %v; want 400 InvalidRequest", in, err)
		}
	}
}

func TestDefaults(t *testing.T) {
	app := proxy.Service{DID: "did:web:app.example", ID: "bsky_appview"}
	rep := proxy.Service{DID: "did:web:mod.example", ID: "atproto_labeler"}
	d := proxy.Defaults{AppView: app, Reports: rep}
	cases := []struct {
		nsid string
		want proxy.Service
		ok   bool
	}{
		{"app.bsky.actor.getProfile", app, true},
		{"chat.bsky.convo.listConvos", app, true},
		{"com.atproto.moderation.createReport", rep, true},
		{"tools.ozone.moderation.emitEvent", proxy.Service{}, false},
		{"com.example.thing", proxy.Service{}, false},
	}
	for _, c := range cases {
		got, ok := d.For(c.nsid)
		if got != c.want || ok != c.ok {
			t.Errorf("For(%s) = %v, %v; want %v, %v", c.nsid, got, ok, c.want, c.ok)
		}
	}
	r := httptest.NewRequest("GET", "/xrpc/app.bsky.actor.getProfile", nil)
	r.Header.Set("atproto-proxy", rep.String())
	if got, err := d.Target(r, "app.bsky.actor.getProfile"); err != nil || got != rep {
		t.Errorf("Target with header = %v, %v; want %v", got, err, rep)
	}
}

func TestProtected(t *testing.T) {
	for _, nsid := range []string{
		"com.atproto.server.getSession", "COM.ATPROTO.SERVER.GETSESSION", "com.atproto.admin.getAccountInfo",
		"com.atproto.admin.anythingNew", "com.atproto.identity.signPlcOperation", "com.atproto.server.createAppPassword",
		"com.atproto.server.createSession", "com.atproto.server.deleteAccount",
	} {
		if !proxy.Protected(nsid) {
			t.Errorf("Protected(%s) = false", nsid)
		}
	}
	for _, nsid := range []string{"app.bsky.actor.getProfile", "chat.bsky.convo.sendMessage", "com.atproto.moderation.createReport", "com.atproto.server.createAccount"} {
		if proxy.Protected(nsid) {
			t.Errorf("Protected(%s) = true", nsid)
		}
	}
	if !proxy.Privileged("chat.bsky.convo.sendMessage") || !proxy.Privileged("com.atproto.server.createAccount") || proxy.Privileged("app.bsky.feed.getTimeline") {
		t.Error("Privileged list wrong")
	}
}

func TestPublicAddr(t *testing.T) {
	for s, want := range map[string]bool{
		"8.8.8.8": true, "2606:4700::1111": true, "127.0.0.1": false, "::1": false, "10.1.2.3": false,
		"192.168.0.1": false, "172.16.0.1": false, "169.254.169.254": false, "100.64.0.1": false,
		"0.0.0.0": false, "::": false, "fe80::1": false, "fc00::1": false, "::ffff:127.0.0.1": false, "224.0.0.1": false,
	} {
		if got := proxy.PublicAddr(netip.MustParseAddr(s)); got != want {
			t.Errorf("PublicAddr(%s) = %v, want %v", s, got, want)
		}
	}
}
