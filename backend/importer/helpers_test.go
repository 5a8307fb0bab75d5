package importer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/backend/importer"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testpds"
)

const password = "a long enough password"

// client calls XRPC methods of a test server.
type client struct {
	t     testing.TB
	base  string
	token string
}

// call makes one request and decodes a JSON answer into out (or copies
// the raw bytes into *[]byte); it fails the test on an error answer.
func (c *client) call(verb, method string, q url.Values, ctype string, body []byte, out any) {
	c.t.Helper()
	u := c.base + "/xrpc/" + method
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(verb, u, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s: HTTP %d: %s", method, resp.StatusCode, raw)
	}
	switch o := out.(type) {
	case nil:
	case *[]byte:
		*o = raw
	default:
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s: %v", method, err)
		}
	}
}

func (c *client) post(method string, in, out any) {
	c.t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		c.t.Fatal(err)
	}
	c.call(http.MethodPost, method, nil, "application/json", body, out)
}

// account is an account made on the source server.
type account struct {
	did, handle string
	blobs       map[string][]byte // by CID
	records     int
}

// blobRef is a record's reference to an uploaded blob.
type blobRef map[string]any

// seed signs up alice.test on pds and writes records in two collections
// with blobs: posts with images (one image shared by two posts), a profile
// with an avatar, and posts without blobs.
func seed(t testing.TB, pds *testpds.PDS) *account {
	t.Helper()
	c := &client{t: t, base: pds.URL}
	var sess struct {
		DID       string `json:"did"`
		AccessJwt string `json:"accessJwt"`
	}
	c.post("com.atproto.server.createAccount", map[string]string{"handle": "alice.test", "password": password}, &sess)
	c.token = sess.AccessJwt
	acct := &account{did: sess.DID, handle: "alice.test", blobs: map[string][]byte{}}
	upload := func(data []byte) blobRef {
		var out struct {
			Blob blobRef `json:"blob"`
		}
		c.call(http.MethodPost, "com.atproto.repo.uploadBlob", nil, "image/png", data, &out)
		ref := out.Blob["ref"].(map[string]any)["$link"].(string)
		acct.blobs[ref] = data
		return out.Blob
	}
	create := func(collection string, rec map[string]any) {
		c.post("com.atproto.repo.createRecord", map[string]any{"repo": acct.did, "collection": collection, "record": rec}, nil)
		acct.records++
	}
	imgs := []blobRef{upload(png("one", 300)), upload(png("two", 5000)), upload(png("three", 70000))}
	for i, img := range append(imgs, imgs[0]) {
		create("app.bsky.feed.post", map[string]any{
			"$type": "app.bsky.feed.post", "text": fmt.Sprintf("picture %d", i), "createdAt": "2026-01-01T00:00:00Z",
			"embed": map[string]any{"$type": "app.bsky.embed.images", "images": []any{map[string]any{"alt": "", "image": img}}},
		})
	}
	for i := range 5 {
		create("app.bsky.feed.post", map[string]any{"$type": "app.bsky.feed.post", "text": fmt.Sprintf("words %d", i), "createdAt": "2026-01-01T00:00:00Z"})
	}
	avatar := upload(png("avatar", 1200))
	c.post("com.atproto.repo.putRecord", map[string]any{"repo": acct.did, "collection": "app.bsky.actor.profile", "rkey": "self",
		"record": map[string]any{"$type": "app.bsky.actor.profile", "displayName": "Alice", "avatar": avatar}}, nil)
	acct.records++
	return acct
}

// png is a PNG-looking blob of about n bytes, distinct per seed.
func png(seed string, n int) []byte {
	b := append([]byte("\x89PNG\r\n\x1a\n"), []byte(seed)...)
	return append(b, bytes.Repeat([]byte(seed), n/len(seed))...)
}

// carFile downloads the account's repo from pds into a temporary file.
func carFile(t testing.TB, pds *testpds.PDS, did string) string {
	t.Helper()
	var car []byte
	(&client{t: t, base: pds.URL}).call(http.MethodGet, "com.atproto.sync.getRepo", url.Values{"did": {did}}, "", nil, &car)
	path := filepath.Join(t.TempDir(), "repo.car")
	if err := os.WriteFile(path, car, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wait waits for the job to end and returns its final progress.
func wait(t testing.TB, job *importer.Job) importer.Progress {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := job.Wait(ctx)
	if err != nil {
		t.Fatalf("import did not end: %v (progress %+v)", err, p)
	}
	return p
}

// checkCopied checks that dst holds the account exactly as src does: the
// same records with the same CIDs, the same MST root, byte-identical
// blobs, and a repo that indigo loads and verifies with dst's key.
func checkCopied(t testing.TB, src, dst *testpds.PDS, acct *account) {
	t.Helper()
	ctx := context.Background()
	a, b := src.Server.Store(), dst.Server.Store()
	colsA, err := a.ListCollections(ctx, acct.did)
	if err != nil {
		t.Fatal(err)
	}
	colsB, err := b.ListCollections(ctx, acct.did)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(colsA, colsB) || len(colsA) != 2 {
		t.Fatalf("collections: source %v, imported %v", colsA, colsB)
	}
	for _, col := range colsA {
		ra, rb := records(t, a, acct.did, col.Name), records(t, b, acct.did, col.Name)
		if !slices.Equal(ra, rb) {
			t.Fatalf("%s: source %v, imported %v", col.Name, ra, rb)
		}
	}
	rootA, err := a.GetRepoRoot(ctx, acct.did)
	if err != nil {
		t.Fatal(err)
	}
	rootB, err := b.GetRepoRoot(ctx, acct.did)
	if err != nil {
		t.Fatal(err)
	}
	if !rootA.Data.Equals(rootB.Data) {
		t.Fatalf("MST root: source %s, imported %s", rootA.Data, rootB.Data)
	}
	for c, want := range acct.blobs {
		parsed, err := cid.Decode(c)
		if err != nil {
			t.Fatal(err)
		}
		meta, f, err := dst.Server.Blobs().Open(ctx, acct.did, parsed)
		if err != nil {
			t.Fatalf("blob %s: %v", c, err)
		}
		got, err := io.ReadAll(f)
		f.Close()
		if err != nil || !bytes.Equal(got, want) || meta.Size != int64(len(want)) {
			t.Fatalf("blob %s: %d bytes (%v), want %d", c, len(got), err, len(want))
		}
	}
	verifyRepo(t, dst, acct.did, rootA.Data)
}

// records lists a collection as "rkey cid" lines.
func records(t testing.TB, st store.Store, did, col string) []string {
	t.Helper()
	recs, err := st.ListRecords(context.Background(), did, col, store.ListRecordsOptions{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.RKey+" "+r.CID.String())
	}
	return out
}

// verifyRepo exports the repo of dst, loads it with indigo (which checks
// every block and the MST) and verifies its commit with the account's key
// on dst.
func verifyRepo(t testing.TB, dst *testpds.PDS, did string, data cid.Cid) {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	if _, err := dst.Server.Engine().ExportCAR(ctx, did, &buf); err != nil {
		t.Fatal(err)
	}
	commit, r, err := indigorepo.LoadRepoFromCAR(ctx, &buf)
	if err != nil {
		t.Fatalf("indigo cannot load the imported repo: %v", err)
	}
	key, err := dst.Server.Accounts().SigningKey(ctx, did)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := commit.VerifySignature(pub); err != nil {
		t.Fatalf("imported commit: %v", err)
	}
	root, err := r.MST.RootCID()
	if err != nil {
		t.Fatal(err)
	}
	if commit.DID != did || !root.Equals(data) || !commit.Data.Equals(data) {
		t.Fatalf("imported commit: DID %s, data %s, MST %s; want %s, %s", commit.DID, commit.Data, root, did, data)
	}
}

// checkDIDStillAt checks that the DID document still names src's URL.
func checkDIDStillAt(t testing.TB, dst *testpds.PDS, did, pdsURL string) {
	t.Helper()
	dir := dst.Server.Directory()
	id := syntax.DID(did)
	_ = dir.Purge(context.Background(), id.AtIdentifier())
	ident, err := dir.LookupDID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got := ident.PDSEndpoint(); got != pdsURL {
		t.Fatalf("DID document names %s, want %s (unchanged)", got, pdsURL)
	}
}

// checkGone checks that dst keeps nothing of the account.
func checkGone(t testing.TB, dst *testpds.PDS, acct *account) {
	t.Helper()
	ctx := context.Background()
	st := dst.Server.Store()
	if _, err := st.GetAccount(ctx, acct.did); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("account after the import stopped: %v", err)
	}
	if _, err := st.GetRepoRoot(ctx, acct.did); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("repo after the import stopped: %v", err)
	}
	if cols, err := st.ListCollections(ctx, acct.did); err != nil || len(cols) != 0 {
		t.Fatalf("records after the import stopped: %v %v", cols, err)
	}
	for c := range acct.blobs {
		parsed, _ := cid.Decode(c)
		if _, err := st.GetBlob(ctx, acct.did, parsed); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("blob %s after the import stopped: %v", c, err)
		}
	}
	if _, err := dst.Server.Importer().Status(ctx, acct.did); !errors.Is(err, importer.ErrNoImport) {
		t.Fatalf("import status after the import stopped: %v", err)
	}
	checkNoEvents(t, dst, acct.did)
}

// checkNoEvents checks that dst's firehose said nothing about the DID.
func checkNoEvents(t testing.TB, dst *testpds.PDS, did string) {
	t.Helper()
	events, err := dst.Server.Store().ListEvents(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.DID == did {
			t.Fatalf("firehose event %s #%d about the imported account", e.Type, e.Seq)
		}
	}
}

// proxy stands in front of a source PDS and can hold or fail getBlob.
type proxy struct {
	URL string

	mu       sync.Mutex
	fail     map[string]bool // CIDs answered with 500
	corrupt  map[string]bool // CIDs answered with other bytes
	hold     chan struct{}   // while open, getBlob waits
	holdOnly string          // when set, only getBlob of this CID waits
	held     chan struct{}   // gets a value when a getBlob is held
	getBlobs int
}

func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{fail: map[string]bool{}, corrupt: map[string]bool{}, held: make(chan struct{}, 100)}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/com.atproto.sync.getBlob") {
			p.mu.Lock()
			p.getBlobs++
			c := r.URL.Query().Get("cid")
			fail, corrupt, hold := p.fail[c], p.corrupt[c], p.hold
			if p.holdOnly != "" && p.holdOnly != c {
				hold = nil
			}
			p.mu.Unlock()
			if corrupt {
				_, _ = w.Write(png("forged", 500))
				return
			}
			if hold != nil {
				p.held <- struct{}{}
				select {
				case <-hold:
				case <-r.Context().Done():
					return
				}
			}
			if fail {
				http.Error(w, `{"error":"InternalServerError","message":"disk on fire"}`, http.StatusInternalServerError)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func (p *proxy) setFail(c string, fail bool) {
	p.mu.Lock()
	p.fail[c] = fail
	p.mu.Unlock()
}

func (p *proxy) setCorrupt(c string, corrupt bool) {
	p.mu.Lock()
	p.corrupt[c] = corrupt
	p.mu.Unlock()
}

func (p *proxy) setHold(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case on && p.hold == nil:
		p.hold = make(chan struct{})
	case !on && p.hold != nil:
		close(p.hold)
		p.hold = nil
	}
}

func (p *proxy) blobRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.getBlobs
}

// carBytes downloads the account's repo from pds.
func carBytes(t testing.TB, pds *testpds.PDS, did string) []byte {
	t.Helper()
	var car []byte
	(&client{t: t, base: pds.URL}).call(http.MethodGet, "com.atproto.sync.getRepo", url.Values{"did": {did}}, "", nil, &car)
	return car
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// checkBytesGone sweeps dst's blob store and checks that no file of the
// account's blobs is left (no other account on dst names them).
func checkBytesGone(t testing.TB, dst *testpds.PDS, acct *account) {
	t.Helper()
	ctx := context.Background()
	if _, err := dst.Server.Blobs().Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	disk, err := blobs.NewDisk(filepath.Join(dst.Server.Config().DataDir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	for c := range acct.blobs {
		parsed, _ := cid.Decode(c)
		if has, err := disk.Has(ctx, parsed); err != nil || has {
			t.Fatalf("blob file %s after the import stopped: %v %v", c, has, err)
		}
	}
}
