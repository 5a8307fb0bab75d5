package plcserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/identity/plcserver"
)

// fakeClock is a settable clock for the recovery window.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// standIn starts a stand-in on loopback and returns its URL.
func standIn(t *testing.T, opts plcserver.Options) string {
	t.Helper()
	srv, err := plcserver.New(opts)
	if err != nil {
		t.Fatalf("plcserver.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

func newKey(t *testing.T) *atcrypto.PrivateKeyK256 {
	t.Helper()
	k, err := atcrypto.GeneratePrivateKeyK256()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pubOf(t *testing.T, k atcrypto.PrivateKey) atcrypto.PublicKey {
	t.Helper()
	pub, err := k.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// account is a genesis built locally: its DID, op and keys.
type account struct {
	did     syntax.DID
	genesis identity.Operation
	signing atcrypto.PrivateKey
	keys    []atcrypto.PrivateKey // rotation keys, in priority order
}

func newAccount(t *testing.T, handle string, nRotation int) account {
	t.Helper()
	a := account{signing: newKey(t)}
	var didKeys []string
	for range nRotation {
		k := newKey(t)
		a.keys = append(a.keys, k)
		didKeys = append(didKeys, pubOf(t, k).DIDKey())
	}
	did, op, err := identity.NewGenesis(identity.GenesisParams{
		SigningKey:   pubOf(t, a.signing),
		RotationKeys: didKeys,
		Signer:       a.keys[len(a.keys)-1],
		Handle:       syntax.Handle(handle),
		PDSEndpoint:  "https://pds.example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	a.did, a.genesis = did, op
	return a
}

func handleUpdate(t *testing.T, prev identity.Operation, signer atcrypto.PrivateKey, handle string) identity.Operation {
	t.Helper()
	d, err := prev.Data()
	if err != nil {
		t.Fatal(err)
	}
	d.SetHandle(syntax.Handle(handle))
	op, err := identity.NewUpdate(prev, d, signer)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// post submits a raw body and returns status and the decoded message.
func post(t *testing.T, base, did, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(base+"/"+did, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, message(t, resp)
}

// get fetches a path and returns status, content type and body.
func get(t *testing.T, url string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func message(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusOK {
		return string(b)
	}
	var m struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Message == "" {
		t.Fatalf("status %d with a body that is not {\"message\"}: %q", resp.StatusCode, b)
	}
	return m.Message
}

func mustSubmit(t *testing.T, base string, did syntax.DID, op identity.Operation) {
	t.Helper()
	if status, msg := post(t, base, did.String(), mustJSON(t, op)); status != http.StatusOK {
		t.Fatalf("submit %s: %d %s", op.CID(), status, msg)
	}
}
