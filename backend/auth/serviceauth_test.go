package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/golang-jwt/jwt/v5"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

const (
	svcDID    = "did:web:pds.example.com"
	userDID   = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
	createNSI = "com.atproto.server.createAccount"
)

// svcFixture is a user whose key a mock directory publishes, and two
// verifiers (two instances) sharing one store.
type svcFixture struct {
	key  *atcrypto.PrivateKeyK256
	a, b *auth.ServiceAuth
}

func newSvcFixture(t *testing.T, st store.Store) *svcFixture {
	t.Helper()
	key, err := atcrypto.GeneratePrivateKeyK256()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := key.PublicKey()
	dir := indigoid.NewMockDirectory()
	dir.Insert(indigoid.Identity{
		DID: syntax.DID(userDID), Handle: syntax.HandleInvalid,
		Keys: map[string]indigoid.VerificationMethod{"atproto": {Type: "Multikey", PublicKeyMultibase: pub.Multibase()}},
	})
	f := &svcFixture{key: key}
	for _, v := range []**auth.ServiceAuth{&f.a, &f.b} {
		*v, err = auth.NewServiceAuth(auth.ServiceAuthConfig{ServiceDID: svcDID, Directory: dir, Nonces: st})
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// craft signs arbitrary claims with key (ES256K), header typ as given.
func craft(t *testing.T, key atcrypto.PrivateKey, typ string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.GetSigningMethod("ES256K"), claims)
	if typ != "" {
		tok.Header["typ"] = typ
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func claims(mod func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"iss": userDID, "aud": svcDID, "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": "j-" + now.Format(time.RFC3339Nano), "lxm": createNSI}
	if mod != nil {
		mod(c)
	}
	return c
}

func TestServiceAuthVerify(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := context.Background()
		f := newSvcFixture(t, open(t))
		tok, err := auth.SignServiceAuth(auth.ServiceAuthParams{Issuer: userDID, Audience: svcDID, Method: createNSI, Key: f.key})
		if err != nil {
			t.Fatal(err)
		}
		if !auth.IsServiceAuthToken(tok) {
			t.Error("a minted token with lxm is not recognised as service auth")
		}
		c, err := f.a.Verify(ctx, tok, createNSI)
		if err != nil {
			t.Fatalf("valid token refused: %v", err)
		}
		if c.Issuer != userDID || c.Method != createNSI || c.TokenID == "" || c.Audience != svcDID {
			t.Errorf("claims = %+v", c)
		}
		if _, err := f.a.Verify(ctx, tok, createNSI); !errors.Is(err, auth.ErrServiceAuthReplayed) {
			t.Errorf("replay on the same instance: %v", err)
		}
		if _, err := f.b.Verify(ctx, tok, createNSI); !errors.Is(err, auth.ErrServiceAuthReplayed) {
			t.Errorf("replay on another instance sharing the store: %v", err)
		}
	})
}

func TestServiceAuthRefusals(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := context.Background()
		f := newSvcFixture(t, open(t))
		other, _ := atcrypto.GeneratePrivateKeyK256()
		hourAgo := time.Now().Add(-time.Hour).Unix()
		cases := []struct {
			name   string
			token  string
			method string
			want   error
		}{
			{"garbage", "not.a.jwt", createNSI, auth.ErrServiceAuthMalformed},
			{"no jti", craft(t, f.key, "JWT", claims(func(c jwt.MapClaims) { delete(c, "jti") })), createNSI, auth.ErrServiceAuthMalformed},
			{"access token typ", craft(t, f.key, "at+jwt", claims(nil)), createNSI, auth.ErrServiceAuthMalformed},
			{"no exp", craft(t, f.key, "JWT", claims(func(c jwt.MapClaims) { delete(c, "exp") })), createNSI, auth.ErrServiceAuthMalformed},
			{"expired", craft(t, f.key, "JWT", claims(func(c jwt.MapClaims) { c["exp"], c["iat"] = hourAgo, hourAgo-60 })), createNSI, auth.ErrServiceAuthExpired},
			{"issued in the future", craft(t, f.key, "JWT", claims(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() })), createNSI, auth.ErrServiceAuthExpired},
			{"wrong audience", craft(t, f.key, "JWT", claims(func(c jwt.MapClaims) { c["aud"] = "did:web:other.example.com" })), createNSI, auth.ErrServiceAuthAudience},
			{"wrong method", craft(t, f.key, "JWT", claims(nil)), "com.atproto.repo.uploadBlob", auth.ErrServiceAuthMethod},
			{"no method when one is required", craft(t, f.key, "JWT", claims(func(c jwt.MapClaims) { delete(c, "lxm") })), createNSI, auth.ErrServiceAuthMethod},
			{"iss not a DID", craft(t, f.key, "JWT", claims(func(c jwt.MapClaims) { c["iss"] = "alice" })), createNSI, auth.ErrServiceAuthIssuer},
			{"unknown issuer", craft(t, f.key, "JWT", claims(func(c jwt.MapClaims) { c["iss"] = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb" })), createNSI, auth.ErrServiceAuthIssuer},
			{"signed by another key", craft(t, other, "JWT", claims(nil)), createNSI, auth.ErrServiceAuthSignature},
			{"lives two hours", craft(t, f.key, "JWT", claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(2 * time.Hour).Unix() })), createNSI, auth.ErrServiceAuthLifetime},
		}
		for _, c := range cases {
			if _, err := f.a.Verify(ctx, c.token, c.method); !errors.Is(err, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			}
		}
		// A refused token burns no jti: the same jti in a valid token works.
		jti := map[string]any{"jti": "shared-jti"}
		bad := craft(t, other, "JWT", claims(func(c jwt.MapClaims) { c["jti"] = jti["jti"] }))
		good := craft(t, f.key, "JWT", claims(func(c jwt.MapClaims) { c["jti"] = jti["jti"] }))
		if _, err := f.a.Verify(ctx, bad, createNSI); !errors.Is(err, auth.ErrServiceAuthSignature) {
			t.Fatalf("bad signature: %v", err)
		}
		if _, err := f.a.Verify(ctx, good, ""); err != nil {
			t.Fatalf("valid token after a forged one with its jti: %v", err)
		}
	})
}

func TestSignServiceAuth(t *testing.T) {
	key, _ := atcrypto.GeneratePrivateKeyK256()
	tok, err := auth.SignServiceAuth(auth.ServiceAuthParams{Issuer: userDID, Audience: svcDID + "#atproto_pds", TTL: 30 * time.Second, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if auth.IsServiceAuthToken(tok) {
		t.Error("a token without lxm counted as certainly service auth")
	}
	var c jwt.MapClaims
	tk, _, err := jwt.NewParser().ParseUnverified(tok, &c)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Header["alg"] != "ES256K" || tk.Header["typ"] != "JWT" {
		t.Errorf("header = %v", tk.Header)
	}
	if aud, ok := c["aud"].(string); !ok || aud != svcDID+"#atproto_pds" {
		t.Errorf("aud must be a plain string (the reference PDS refuses arrays): %#v", c["aud"])
	}
	for _, k := range []string{"iss", "iat", "exp", "jti"} {
		if c[k] == nil {
			t.Errorf("claim %s missing", k)
		}
	}
	for _, bad := range []auth.ServiceAuthParams{
		{Issuer: userDID, Audience: "not-a-did", Key: key},
		{Issuer: userDID, Audience: svcDID + "#", Key: key},
		{Issuer: userDID, Audience: svcDID, Method: "not an nsid", Key: key},
		{Issuer: userDID, Audience: svcDID},
	} {
		if _, err := auth.SignServiceAuth(bad); err == nil {
			t.Errorf("SignServiceAuth(%+v) succeeded", bad)
		}
	}
}

func TestMethodSets(t *testing.T) {
	if !auth.IsProtectedMethod("com.atproto.identity.signPlcOperation") || !auth.IsProtectedMethod("COM.ATPROTO.SERVER.GETSESSION") {
		t.Error("protected methods not recognised")
	}
	if auth.IsProtectedMethod("com.atproto.repo.uploadBlob") {
		t.Error("uploadBlob is not protected")
	}
	if !auth.IsPrivilegedMethod(createNSI) || !auth.IsPrivilegedMethod("chat.bsky.convo.sendMessage") || auth.IsPrivilegedMethod("app.bsky.feed.getTimeline") {
		t.Error("privileged methods misclassified")
	}
	if err := auth.CheckAudience("did:web:x.example.com#a#b"); err == nil || !strings.Contains(err.Error(), "fragment") {
		t.Errorf("double fragment: %v", err)
	}
}
