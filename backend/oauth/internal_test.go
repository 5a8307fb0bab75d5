package oauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/binary"
	"net/url"
	"testing"
	"time"
)

// TestNonceWindow: a nonce stays valid for a few steps and then expires.
func TestNonceWindow(t *testing.T) {
	s := &Server{cfg: Config{NonceKey: make([]byte, 32)}}
	t0 := time.Unix(1_800_000_000, 0)
	s.SetClock(func() time.Time { return t0 })
	n := s.Nonce()
	for _, d := range []time.Duration{0, time.Minute, 2 * time.Minute} {
		s.SetClock(func() time.Time { return t0.Add(d) })
		if !s.nonceValid(n) {
			t.Fatalf("nonce refused %v later", d)
		}
	}
	s.SetClock(func() time.Time { return t0.Add(4 * time.Minute) })
	if s.nonceValid(n) {
		t.Fatal("nonce still valid 4 minutes later")
	}
	if s.Nonce() == n {
		t.Fatal("nonce did not rotate")
	}
	if s.nonceValid("made-up") {
		t.Fatal("made-up nonce accepted")
	}
	// Another instance with the same key agrees.
	other := &Server{cfg: Config{NonceKey: make([]byte, 32)}}
	other.SetClock(func() time.Time { return t0.Add(4 * time.Minute) })
	if other.Nonce() != s.Nonce() {
		t.Fatal("instances disagree on the nonce")
	}
}

// TestHTU: the DPoP htu comparison ignores query, fragment, case and
// default ports, and nothing else.
func TestHTU(t *testing.T) {
	want := "https://pds.example/xrpc/x.y.z"
	for claim, ok := range map[string]bool{
		"https://pds.example/xrpc/x.y.z":           true,
		"https://PDS.example:443/xrpc/x.y.z?a=b#f": true,
		"http://pds.example/xrpc/x.y.z":            false,
		"https://pds.example/xrpc/x.y.Z":           false,
		"https://pds.example:8443/xrpc/x.y.z":      false,
		"https://other.example/xrpc/x.y.z":         false,
		"/xrpc/x.y.z":                              false,
		"":                                         false,
	} {
		if got := sameHTU(claim, want); got != ok {
			t.Errorf("sameHTU(%q) = %v, want %v", claim, got, ok)
		}
	}
}

// TestLoopbackClient: the http://localhost form and its defaults.
func TestLoopbackClient(t *testing.T) {
	parse := func(raw string) (*client, error) {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return loopbackClient(raw, u)
	}
	c, err := parse("http://localhost")
	if err != nil || len(c.Meta.RedirectURIs) != 2 || c.Meta.Scope != "atproto" || !c.native() || c.confidential() {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	if !redirectRegistered(c, "http://127.0.0.1:54321/") || !redirectRegistered(c, "http://[::1]:8080/") {
		t.Fatal("loopback redirect with a port refused")
	}
	if redirectRegistered(c, "http://127.0.0.1:54321/other") || redirectRegistered(c, "http://localhost:8080/") {
		t.Fatal("unregistered redirect accepted")
	}
	for _, bad := range []string{
		"http://localhost/path",
		"http://localhost?redirect_uri=http://localhost/cb",
		"http://localhost?redirect_uri=https://127.0.0.1/cb",
		"http://localhost?scope=transition:generic",
		"http://localhost?scope=atproto&scope=atproto",
	} {
		if _, err := parse(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestNativeRedirects: custom schemes must be the client_id's host
// reversed, with a single slash.
func TestNativeRedirects(t *testing.T) {
	s := &Server{}
	id, _ := url.Parse("https://app.example.com/client-metadata.json")
	c := &client{Meta: clientMetadata{ApplicationType: "native"}}
	for raw, ok := range map[string]bool{
		"com.example.app:/callback":  true,
		"com.example.app://callback": false,
		"com.evil.app:/callback":     false,
		"https://app.example.com/cb": true,
		"https://evil.example/cb":    false,
		"http://127.0.0.1/cb":        true,
		"http://app.example.com/cb":  false,
		"com.example.app:/cb#frag":   false,
	} {
		if err := s.checkRedirectURI(c, id, raw); (err == nil) != ok {
			t.Errorf("%s: %v, want ok=%v", raw, err, ok)
		}
	}
}

// TestLoginThrottle: failures block an account for the window; success
// and the window's end clear them.
func TestLoginThrottle(t *testing.T) {
	var lt loginThrottle
	t0 := time.Unix(1_800_000_000, 0)
	for i := 0; i < maxLoginFailures; i++ {
		if lt.blocked("did:plc:a", t0) {
			t.Fatalf("blocked after %d failures", i)
		}
		lt.fail("did:plc:a", t0)
	}
	if !lt.blocked("did:plc:a", t0.Add(time.Minute)) || lt.blocked("did:plc:b", t0) {
		t.Fatal("throttle does not block the right account")
	}
	if lt.blocked("did:plc:a", t0.Add(loginWindow)) {
		t.Fatal("still blocked after the window")
	}
	lt.succeed("did:plc:a")
	if lt.blocked("did:plc:a", t0) {
		t.Fatal("still blocked after a success")
	}
}

// TestShortCoordinates: a P-256 JWK whose coordinates lost their leading
// zero bytes (as indigo encodes about one key in 128) still parses to the
// same key. The keys are taken in a fixed order (scalars 1, 2, 3, …), so
// the test always meets the same short-coordinate key.
func TestShortCoordinates(t *testing.T) {
	for d := 1; d < 100000; d++ {
		scalar := make([]byte, 32)
		binary.BigEndian.PutUint32(scalar[28:], uint32(d))
		priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), scalar)
		if err != nil {
			t.Fatal(err)
		}
		xb, yb := priv.X.Bytes(), priv.Y.Bytes() // minimal big-endian, like indigo
		if len(xb) == 32 && len(yb) == 32 {
			continue
		}
		k := jwk{Kty: "EC", Crv: "P-256", X: b64.EncodeToString(xb), Y: b64.EncodeToString(yb)}
		pub, err := k.publicKey()
		if err != nil {
			t.Fatalf("short coordinates refused: %v", err)
		}
		if pub.X.Cmp(priv.X) != 0 || pub.Y.Cmp(priv.Y) != 0 {
			t.Fatal("short coordinates parsed to another key")
		}
		return
	}
	t.Fatal("no key with a short coordinate among the first 100000 scalars")
}
