package plugin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// fakeRecords is an in-memory Records.
type fakeRecords map[string]RecordEntry

func (f fakeRecords) GetRecord(_ context.Context, did, collection, rkey string) (RecordEntry, error) {
	e, ok := f[did+"/"+collection+"/"+rkey]
	if !ok {
		return RecordEntry{}, ErrNotFound
	}
	return e, nil
}

func (f fakeRecords) ListRecords(context.Context, string, string, string, int) ([]RecordEntry, error) {
	return nil, nil
}

func TestRecordReadGated(t *testing.T) {
	// {"text": "secret"} as DAG-CBOR.
	cbor := append([]byte{0xa1, 0x64}, append([]byte("text"), append([]byte{0x66}, []byte("secret")...)...)...)
	recs := fakeRecords{
		"did:plc:alice/app.bsky.feed.post/1": {Collection: "app.bsky.feed.post", RKey: "1", CID: "bafy", CBOR: cbor},
		"did:plc:alice/dev.other.thing/1":    {Collection: "dev.other.thing", RKey: "1", CID: "bafy", CBOR: cbor},
	}
	read := map[string]any{"collection": "app.bsky.feed.post", "rkey": "1"}
	t.Run("granted", func(t *testing.T) {
		h := newHost(t, Options{Records: recs})
		installKitchen(t, h, kitchenToml, nil)
		wantReject(t, ask(t, h, "test.record", read), "record: secret")
		wantReject(t, ask(t, h, "test.record", map[string]any{"collection": "dev.other.thing", "rkey": "1"}),
			"record error: pdsplugin: capability not granted")
		wantReject(t, ask(t, h, "test.record", map[string]any{"collection": "app.bsky.feed.post", "rkey": "2"}),
			"record error: pdsplugin: not found")
	})
	t.Run("not granted", func(t *testing.T) {
		h := newHost(t, Options{Records: recs})
		installKitchen(t, h, kitchenToml, []Capability{{Kind: CapKVRead}, {Kind: CapKVWrite}})
		wantReject(t, ask(t, h, "test.record", read), "record error: pdsplugin: capability not granted")
	})
	t.Run("narrowed", func(t *testing.T) {
		h := newHost(t, Options{Records: recs})
		installKitchen(t, h, kitchenToml, []Capability{{Kind: CapRecordRead, Collections: []string{"app.bsky.graph.*"}}})
		wantReject(t, ask(t, h, "test.record", read), "capability not granted")
		info, _ := h.Inspect("dev.test.kitchen")
		if len(info.Granted) != 1 || info.Granted[0].Collections[0] != "app.bsky.graph.*" {
			t.Fatalf("granted = %+v", info.Granted)
		}
	})
}

func TestHTTPFetchPolicy(t *testing.T) {
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Header().Set("ETag", `"v1"`)
			fmt.Fprint(w, "pong")
		case "/away": // a redirect leaving the allowlist (localhost is not listed)
			http.Redirect(w, r, strings.Replace(srvURL, "127.0.0.1", "localhost", 1)+"/ok", http.StatusFound)
		case "/stay":
			http.Redirect(w, r, "/ok", http.StatusFound)
		}
	}))
	defer srv.Close()
	srvURL = srv.URL
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	cases := []struct {
		name, url, want string
		allow           []netip.Prefix
	}{
		{"allowed loopback the operator allowed (response headers reach the plugin)", srv.URL + "/ok", `fetched: pong (etag "v1")`, loopback},
		{"redirect inside the list", srv.URL + "/stay", "fetched: pong", loopback},
		{"redirect leaving the list", srv.URL + "/away", `host "localhost" is not in the plugin's http:fetch hosts`, loopback},
		{"unlisted host", "http://example.com/", `host "example.com" is not in the plugin's http:fetch hosts`, loopback},
		{"loopback not allowed by the operator", srv.URL + "/ok", "127.0.0.1 is a loopback, private or link-local address", nil},
		{"private 10/8", "http://10.1.2.3" + port + "/", "10.1.2.3 is a loopback, private or link-local address", loopback},
		{"link-local 169.254/16", "http://169.254.169.254/latest/meta-data", "169.254.169.254 is a loopback, private or link-local address", loopback},
		{"not http", "file:///etc/passwd", `scheme "file"`, loopback},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHost(t, Options{Fetch: FetchPolicy{AllowPrivate: c.allow}})
			installKitchen(t, h, kitchenToml, nil)
			wantReject(t, ask(t, h, "test.fetch", map[string]any{"url": c.url}), c.want)
		})
	}
	t.Run("response over the size cap", func(t *testing.T) {
		h := newHost(t, Options{Fetch: FetchPolicy{AllowPrivate: loopback, MaxBytes: 2}})
		installKitchen(t, h, kitchenToml, nil)
		wantReject(t, ask(t, h, "test.fetch", map[string]any{"url": srv.URL + "/ok"}), "response larger than 2 bytes")
	})
	t.Run("not granted", func(t *testing.T) {
		h := newHost(t, Options{Fetch: FetchPolicy{AllowPrivate: loopback}})
		installKitchen(t, h, kitchenToml, []Capability{{Kind: CapKVRead}})
		wantReject(t, ask(t, h, "test.fetch", map[string]any{"url": srv.URL + "/ok"}), "capability not granted")
	})
	t.Run("grant narrowed to other hosts", func(t *testing.T) {
		h := newHost(t, Options{Fetch: FetchPolicy{AllowPrivate: loopback}})
		installKitchen(t, h, kitchenToml, []Capability{{Kind: CapHTTPFetch, Hosts: []string{"10.1.2.3"}}})
		wantReject(t, ask(t, h, "test.fetch", map[string]any{"url": srv.URL + "/ok"}), `host "127.0.0.1" is not in`)
	})
}

func TestXRPCRegister(t *testing.T) {
	toml := strings.Replace(kitchenToml, `{ kind = "kv:read" },`, `{ kind = "kv:read" },
  { kind = "xrpc:register", nsids = ["dev.test.kitchen.*"] },`, 1) + "\n[hooks.\"xrpc.handle\"]\n"
	toml = strings.Replace(toml, "[hooks]\n", "[hooks]\n\"xrpc.handle\" = {}\n", 1)
	toml = strings.TrimSuffix(toml, "\n[hooks.\"xrpc.handle\"]\n")
	h := newHost(t, Options{ServerNSIDs: []string{"dev.hearthpds.delegation.listGrants"}})
	installKitchen(t, h, toml, nil)
	if !h.Handles("dev.test.kitchen.echo") || h.Handles("dev.test.other") {
		t.Fatal("Handles is wrong")
	}
	resp, ok, err := h.HandleXRPC(context.Background(), XRPCRequest{NSID: "dev.test.kitchen.echo", Method: "POST",
		Params: url.Values{"a": {"1"}}, Body: []byte("hi")})
	if err != nil || !ok || resp.Status != 200 || string(resp.Body) != `{"nsid":"dev.test.kitchen.echo","params":"a=1","body":"hi"}` {
		t.Fatalf("HandleXRPC = %+v, %v, %v", resp, ok, err)
	}
	// A second plugin may not take the same names.
	other := strings.Replace(toml, `id = "dev.test.kitchen"`, `id = "dev.test.other"`, 1)
	m, err := h.Install(context.Background(), writeBundle(t, kitchenWasm(t), other))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Enable(context.Background(), m.ID, nil); !errors.Is(err, ErrNSIDTaken) {
		t.Fatalf("Enable(colliding) = %v", err)
	}
	// Nor the server's.
	server := strings.Replace(other, `"dev.test.kitchen.*"`, `"dev.hearthpds.*"`, 1)
	server = strings.Replace(server, `id = "dev.test.other"`, `id = "dev.test.third"`, 1)
	m, err = h.Install(context.Background(), writeBundle(t, kitchenWasm(t), server))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Enable(context.Background(), m.ID, nil); !errors.Is(err, ErrNSIDTaken) {
		t.Fatalf("Enable(over the server's) = %v", err)
	}
}

func TestIntersectAnyHost(t *testing.T) {
	anyDecl := []Capability{{Kind: CapHTTPFetch, Hosts: []string{AnyHost}, Methods: []string{"POST"}}}
	fixed := []Capability{{Kind: CapHTTPFetch, Hosts: []string{"hooks.example.com", "*.example.org"}}}
	cases := []struct {
		name     string
		declared []Capability
		grant    []Capability
		want     []string // effective hosts; nil: http:fetch not granted
	}{
		{"a concrete host under *", anyDecl, []Capability{{Kind: CapHTTPFetch, Hosts: []string{"127.0.0.1", "hooks.example.net"}}}, []string{"127.0.0.1", "hooks.example.net"}},
		{"a domain glob under *", anyDecl, []Capability{{Kind: CapHTTPFetch, Hosts: []string{"*.example.net"}}}, []string{"*.example.net"}},
		{"* granted by name", anyDecl, []Capability{{Kind: CapHTTPFetch, Hosts: []string{AnyHost}}}, []string{AnyHost}},
		{"no hosts in the grant: * is not implied", anyDecl, []Capability{{Kind: CapHTTPFetch}}, nil},
		{"the default grant (enabled without one): * is not implied", anyDecl, DefaultGrant(anyDecl), nil},
		{"a grant naming * like the manifest: any host", anyDecl, []Capability{{Kind: CapHTTPFetch, Hosts: []string{AnyHost}, Methods: []string{"POST"}}}, []string{AnyHost}},
		{"* granted over concrete declarations", fixed, []Capability{{Kind: CapHTTPFetch, Hosts: []string{AnyHost}}}, nil},
		{"concrete declarations, no hosts in the grant", fixed, []Capability{{Kind: CapHTTPFetch}}, []string{"hooks.example.com", "*.example.org"}},
		{"concrete declarations granted as declared", fixed, fixed, []string{"hooks.example.com", "*.example.org"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := findCap(Intersect(c.declared, c.grant), CapHTTPFetch)
			if c.want == nil {
				if ok {
					t.Fatalf("http:fetch granted with hosts %q, want not granted", got.Hosts)
				}
				return
			}
			if !ok || strings.Join(got.Hosts, ",") != strings.Join(c.want, ",") {
				t.Fatalf("hosts = %q (granted %v), want %q", got.Hosts, ok, c.want)
			}
		})
	}
	withSum := `sha256 = "` + strings.Repeat("0", 64) + `"` + anyHostToml
	if _, err := ParseManifest([]byte(withSum)); err != nil {
		t.Fatalf(`ParseManifest(hosts = ["*"]) = %v`, err)
	}
	if _, err := ParseManifest([]byte(strings.Replace(withSum, `"*"`, `"*x"`, 1))); err == nil ||
		!strings.Contains(err.Error(), `capabilities[0].hosts[0]: "*x" is not a host name`) {
		t.Fatalf(`ParseManifest(hosts = ["*x"]) = %v`, err)
	}
}

// anyHostToml is the kitchen manifest declaring http:fetch to any host the
// user grants.
var anyHostToml = strings.Replace(kitchenToml,
	`{ kind = "http:fetch", hosts = ["127.0.0.1", "unlisted-not.test", "10.1.2.3", "169.254.169.254"] },`,
	`{ kind = "http:fetch", hosts = ["*"] },`, 1)

// A manifest declaring hosts = ["*"] fetches from the hosts the user
// granted at enable, from any host only when "*" itself was granted, and
// from none when enabled without a grant.
func TestHTTPFetchAnyHost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") }))
	defer srv.Close()
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/"
	loopback := FetchPolicy{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	fetch := func(g []Capability, url string) Decision {
		h := newHost(t, Options{Fetch: loopback})
		installKitchen(t, h, anyHostToml, g)
		return ask(t, h, "test.fetch", map[string]any{"url": url})
	}
	granted := []Capability{{Kind: CapHTTPFetch, Hosts: []string{"127.0.0.1"}}}
	wantReject(t, fetch(granted, srv.URL+"/"), "fetched: pong")
	wantReject(t, fetch(granted, byName), `host "localhost" is not in the plugin's http:fetch hosts`)
	wantReject(t, fetch([]Capability{{Kind: CapHTTPFetch, Hosts: []string{AnyHost}}}, byName), "fetched: pong")
	wantReject(t, fetch(nil, srv.URL+"/"), "http:fetch not granted")
	wantReject(t, fetch([]Capability{{Kind: CapHTTPFetch}}, srv.URL+"/"), "http:fetch not granted")
	// The operator's address policy still applies to a plugin granted "*".
	h := newHost(t, Options{})
	installKitchen(t, h, anyHostToml, []Capability{{Kind: CapHTTPFetch, Hosts: []string{AnyHost}}})
	wantReject(t, ask(t, h, "test.fetch", map[string]any{"url": srv.URL + "/"}), "127.0.0.1 is a loopback, private or link-local address")
}
