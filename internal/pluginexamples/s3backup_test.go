package pluginexamples

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/ipfs/go-cid"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// The bucket's credentials.
const (
	s3Bucket = "backup"
	s3Region = "eu-west-1"
	s3KeyID  = "AKIDHEARTHTEST"
	s3Secret = "c2VjcmV0IGFjY2VzcyBrZXkgb2YgdGhlIHRlc3Q"
)

// s3Grant grants plugins/examples/s3backup what it declares, naming the
// loopback bucket's host for http:fetch (the manifest says "*").
var s3Grant = []map[string]any{
	{"kind": "http:fetch", "hosts": []string{"127.0.0.1"}}, {"kind": "blob:read"}, {"kind": "repo:export"},
	{"kind": "firehose:subscribe"}, {"kind": "kv:read"}, {"kind": "kv:write"},
}

// fakeBucket is gofakes3's in-memory S3 on loopback behind a handler that
// checks every request's AWS Signature Version 4 (gofakes3 checks none)
// and refuses a bad one with 403 SignatureDoesNotMatch.
type fakeBucket struct {
	*httptest.Server
	mem *s3mem.Backend

	mu       sync.Mutex
	requests []string // "METHOD query-keys", for the multipart calls
	bad      []string // why a request's signature did not verify
}

func newFakeBucket(t *testing.T) *fakeBucket {
	b := &fakeBucket{mem: s3mem.New()}
	if err := b.mem.CreateBucket(s3Bucket); err != nil {
		t.Fatal(err)
	}
	s3 := gofakes3.New(b.mem).Server()
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := b.verify(r); err != nil {
			b.mu.Lock()
			b.bad = append(b.bad, r.Method+" "+r.URL.String()+": "+err.Error())
			b.mu.Unlock()
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, "<Error><Code>SignatureDoesNotMatch</Code><Message>%s</Message></Error>", err)
			return
		}
		b.mu.Lock()
		b.requests = append(b.requests, r.Method+" "+strings.Join(slices.Sorted(maps.Keys(r.URL.Query())), "&"))
		b.mu.Unlock()
		s3.ServeHTTP(w, r)
	}))
	t.Cleanup(b.Close)
	return b
}

// verify recomputes the request's SigV4 signature from what arrived.
func (b *fakeBucket) verify(r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	if got := r.Header.Get("X-Amz-Content-Sha256"); got != hex.EncodeToString(sum[:]) {
		return fmt.Errorf("x-amz-content-sha256 %q is not the body's", got)
	}
	var cred, signed, sig string
	for _, part := range strings.Split(strings.TrimPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 "), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}
	date := r.Header.Get("X-Amz-Date")
	if len(date) != 16 || cred != s3KeyID+"/"+date[:8]+"/"+s3Region+"/s3/aws4_request" {
		return fmt.Errorf("credential %q for date %q", cred, date)
	}
	names := strings.Split(signed, ";")
	for _, must := range []string{"host", "x-amz-content-sha256", "x-amz-date"} {
		if !slices.Contains(names, must) {
			return fmt.Errorf("%s is not signed (%s)", must, signed)
		}
	}
	want := hmacHex(signKey(date[:8]), "AWS4-HMAC-SHA256\n"+date+"\n"+date[:8]+"/"+s3Region+"/s3/aws4_request\n"+
		sha256Hex(canonical(r, names, hex.EncodeToString(sum[:]))))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return fmt.Errorf("signature %s, want %s", sig, want)
	}
	return nil
}

// canonical is the server's view of the canonical request.
func canonical(r *http.Request, names []string, payload string) string {
	var q []string
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			q = append(q, awsEscape(k, true)+"="+awsEscape(v, true))
		}
	}
	sort.Strings(q)
	var h strings.Builder
	for _, n := range names {
		v := r.Header.Get(n)
		if n == "host" {
			v = r.Host
		}
		h.WriteString(n + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	return strings.Join([]string{r.Method, awsEscape(r.URL.Path, false), strings.Join(q, "&"), h.String(),
		strings.Join(names, ";"), payload}, "\n")
}

// awsEscape percent-encodes all but RFC 3986's unreserved characters
// (and slashes, unless slash).
func awsEscape(s string, slash bool) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 || (c == '/' && !slash) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func signKey(day string) []byte {
	k := []byte("AWS4" + s3Secret)
	for _, s := range []string{day, s3Region, "s3", "aws4_request"} {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(s))
		k = m.Sum(nil)
	}
	return k
}

func hmacHex(key []byte, s string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// object returns an object's bytes, or nil while it does not exist.
func (b *fakeBucket) object(t *testing.T, key string) []byte {
	obj, err := b.mem.GetObject(s3Bucket, key, nil)
	if err != nil {
		return nil
	}
	defer obj.Contents.Close()
	data, err := io.ReadAll(obj.Contents)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// keys lists the objects under prefix.
func (b *fakeBucket) keys(t *testing.T, prefix string) []string {
	p := gofakes3.NewFolderPrefix(prefix)
	list, err := b.mem.ListBucket(s3Bucket, &p, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range list.Contents {
		out = append(out, c.Key)
	}
	return out
}

// TestS3Backup runs plugins/examples/s3backup on a running server against
// an S3 that checks every signature: uploaded blobs (one larger than a
// multipart part and than the plugin's whole memory) appear in the bucket
// byte for byte, and commits trigger CAR snapshots that indigo loads,
// holding the records written.
func TestS3Backup(t *testing.T) { testdb.RunURL(t, testS3Backup) }

func testS3Backup(t *testing.T, dbURL func(testing.TB) string) {
	bucket := newFakeBucket(t)
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t), ExtraArgs: allowLoopback})
	id := install(t, pds, smallMemory(t, goExample(t, "s3backup")), s3Grant)
	configure(t, pds, id, map[string]any{"endpoint": bucket.URL, "bucket": s3Bucket, "region": s3Region,
		"access_key_id": s3KeyID, "secret_access_key": s3Secret, "prefix": "hearth/",
		"snapshot_every_commits": 4, "snapshot_interval_minutes": 0})
	// Created once the plugin runs, so it sees every commit of the repo
	// (the firehose may hand it the account's first commit late).
	alice := pds.Account(t, "alice.test")

	blobs := map[string][]byte{}
	// The second is over the 5 MiB part size, and over the plugin's memory.
	for _, size := range []int{300 << 10, (pluginMemoryMiB+1)<<20 + 12345} {
		data := make([]byte, size)
		rand.Read(data)
		blobs[uploadBlob(t, alice, data)] = data
	}
	for c, data := range blobs {
		key := "hearth/blobs/" + alice.DID + "/" + c
		waitFor(t, key, func() bool { return bucket.object(t, key) != nil })
		if !bytes.Equal(bucket.object(t, key), data) {
			t.Fatalf("%s: the bucket's bytes differ from the blob's", key)
		}
	}
	posts := map[string]string{} // path → cid
	for i := range 4 {
		_, out := alice.Post(fmt.Sprintf("backed up %d", i))
		uri := out["uri"].(string)
		posts["app.bsky.feed.post/"+uri[strings.LastIndex(uri, "/")+1:]] = out["cid"].(string)
	}
	// Five commits (the account's first, four posts): a snapshot at the
	// first, and one at the fifth (four since), whatever their order.
	prefix := "hearth/repos/" + alice.DID + "/"
	waitFor(t, "two snapshots", func() bool { return len(bucket.keys(t, prefix)) == 2 })
	most := 0
	for _, key := range bucket.keys(t, prefix) {
		most = max(most, checkSnapshot(t, bucket.object(t, key), alice.DID, posts))
	}
	if most != len(posts) {
		t.Fatalf("the latest snapshot holds %d of the %d posts", most, len(posts))
	}
	checkSigned(t, bucket)
	info := inspect(t, pds, id)
	p50, _ := info["p50"].(float64)
	p99, _ := info["p99"].(float64)
	t.Logf("s3backup: %v hook calls, p50 %v, p99 %v", info["calls"], time.Duration(p50), time.Duration(p99))
}

// pluginMemoryMiB is the memory limit the test installs s3backup with:
// less than the large blob it mirrors.
const pluginMemoryMiB = 24

// smallMemory lowers the memory limit in a built bundle's plugin.toml to
// pluginMemoryMiB (the sha256 there is the module's, unchanged).
func smallMemory(t *testing.T, bundle string) string {
	t.Helper()
	path := filepath.Join(bundle, "plugin.toml")
	manifest, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lowered := strings.Replace(string(manifest), "memory_mib = 64", fmt.Sprintf("memory_mib = %d", pluginMemoryMiB), 1)
	if lowered == string(manifest) {
		t.Fatal("plugins/examples/s3backup/plugin.toml no longer says memory_mib = 64")
	}
	if err := os.WriteFile(path, []byte(lowered), 0o600); err != nil {
		t.Fatal(err)
	}
	return bundle
}

// uploadBlob uploads data and returns its CID.
func uploadBlob(t *testing.T, c *testpds.Client, data []byte) string {
	t.Helper()
	out := c.Must("com.atproto.repo.uploadBlob", "", data)
	blob, _ := out["blob"].(map[string]any)
	ref, _ := blob["ref"].(map[string]any)
	link, _ := ref["$link"].(string)
	if link == "" {
		t.Fatalf("uploadBlob answered %v", out)
	}
	return link
}

// checkSnapshot loads a CAR snapshot with indigo and checks it is did's
// repo and that each post it holds has the CID written; it returns how
// many of posts it holds.
func checkSnapshot(t *testing.T, car []byte, did string, posts map[string]string) int {
	t.Helper()
	commit, r, err := indigorepo.LoadRepoFromCAR(context.Background(), bytes.NewReader(car))
	if err != nil {
		t.Fatalf("snapshot does not load: %v", err)
	}
	if commit.DID != did {
		t.Fatalf("snapshot of %s, want %s", commit.DID, did)
	}
	n := 0
	err = r.MST.Walk(func(key []byte, val cid.Cid) error {
		want, ok := posts[string(key)]
		if !ok {
			return nil
		}
		if val.String() != want {
			return fmt.Errorf("%s has CID %s, want %s", key, val, want)
		}
		if _, err := r.RecordStore.Get(context.Background(), val); err != nil {
			return fmt.Errorf("%s: record block missing: %w", key, err)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkSigned: every request verified, and the large blob went up in parts.
func checkSigned(t *testing.T, b *fakeBucket) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.bad) > 0 {
		t.Fatalf("requests with bad signatures: %q", b.bad)
	}
	for _, want := range []string{"POST uploads", "PUT partNumber&uploadId", "POST uploadId", "PUT "} {
		if !slices.Contains(b.requests, want) {
			t.Fatalf("no %q among the bucket's requests %q", want, b.requests)
		}
	}
}
