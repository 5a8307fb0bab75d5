package xrpc_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bluesky-social/indigo/atproto/atclient"
	"github.com/bluesky-social/indigo/atproto/atdata"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// The 1×1 PNG of the interop smoke test, and its CID as the reference PDS
// computes it.
const (
	pngHex = "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
		"1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
	pngCID = "bafkreicdpmk572qop6kfyed3hbksqg32ikezhorvb34h3q6jdz4d5natie"
)

// blobClient is a logged-in account on a test server.
type blobClient struct {
	t      *testing.T
	pds    *testpds.PDS
	did    string
	access string
}

func newBlobClient(t *testing.T, opts testpds.Options, handle string) *blobClient {
	t.Helper()
	pds := testpds.Start(t, opts)
	return blobSignUp(t, pds, handle)
}

func blobSignUp(t *testing.T, pds *testpds.PDS, handle string) *blobClient {
	t.Helper()
	var out struct {
		DID       string `json:"did"`
		AccessJwt string `json:"accessJwt"`
	}
	err := atclient.NewAPIClient(pds.URL).Post(context.Background(), "com.atproto.server.createAccount",
		map[string]any{"handle": handle, "password": "a long enough password"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	return &blobClient{t: t, pds: pds, did: out.DID, access: out.AccessJwt}
}

// do sends a request; token "" sends none. It returns the response with
// its body read.
func (c *blobClient) do(method, nsid, query string, hdr http.Header, body io.Reader, token string) (*http.Response, []byte) {
	c.t.Helper()
	u := c.pds.URL + "/xrpc/" + nsid
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

type blobRef struct {
	Type string `json:"$type"`
	Ref  struct {
		Link string `json:"$link"`
	} `json:"ref"`
	MimeType string `json:"mimeType"`
	Size     int64  `json:"size"`
}

// upload uploads body and returns the status and, on success, the blob.
func (c *blobClient) upload(body io.Reader, ctype string, hdr http.Header) (int, blobRef) {
	c.t.Helper()
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("Content-Type", ctype)
	resp, raw := c.do("POST", "com.atproto.repo.uploadBlob", "", hdr, body, c.access)
	var out struct{ Blob blobRef }
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("upload answer %s: %v", raw, err)
		}
	}
	return resp.StatusCode, out.Blob
}

func (c *blobClient) mustUpload(data []byte, ctype string) blobRef {
	c.t.Helper()
	status, ref := c.upload(bytes.NewReader(data), ctype, nil)
	if status != http.StatusOK {
		c.t.Fatalf("upload: status %d", status)
	}
	return ref
}

// getBlob fetches a blob as token's holder ("" for anyone).
func (c *blobClient) getBlob(ref, token string, hdr http.Header) (*http.Response, []byte) {
	c.t.Helper()
	return c.do("GET", "com.atproto.sync.getBlob", url.Values{"did": {c.did}, "cid": {ref}}.Encode(), hdr, nil, token)
}

// getJSON runs a query and decodes its answer.
func (c *blobClient) getJSON(nsid string, q url.Values, out any) {
	c.t.Helper()
	resp, raw := c.do("GET", nsid, q.Encode(), nil, nil, c.access)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s: %d %s", nsid, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		c.t.Fatal(err)
	}
}

// putProfile writes the profile record with avatar and banner blobs (nil
// to leave one out) and returns the commit's rev.
func (c *blobClient) putProfile(avatar, banner *blobRef) string {
	c.t.Helper()
	rec := map[string]any{"$type": "app.bsky.actor.profile", "displayName": "Blobby"}
	if avatar != nil {
		rec["avatar"] = avatar
	}
	if banner != nil {
		rec["banner"] = banner
	}
	body, _ := json.Marshal(map[string]any{"repo": c.did, "collection": "app.bsky.actor.profile", "rkey": "self", "record": rec})
	resp, raw := c.do("POST", "com.atproto.repo.putRecord", "", http.Header{"Content-Type": {"application/json"}}, bytes.NewReader(body), c.access)
	var out struct{ Commit struct{ Rev string } }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil {
		c.t.Fatalf("putRecord: %d %s", resp.StatusCode, raw)
	}
	return out.Commit.Rev
}

func (c *blobClient) listBlobs(q url.Values) []string {
	c.t.Helper()
	q.Set("did", c.did)
	var out struct{ CIDs []string }
	c.getJSON("com.atproto.sync.listBlobs", q, &out)
	return out.CIDs
}

func blobBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func TestBlobsOverHTTP(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		c := newBlobClient(t, testpds.Options{DBURL: dbURL(t)}, "blobby.test")
		png, _ := hex.DecodeString(pngHex)
		ref := c.mustUpload(png, "image/png")
		if ref.Type != "blob" || ref.Ref.Link != pngCID || ref.MimeType != "image/png" || ref.Size != int64(len(png)) {
			t.Fatalf("uploadBlob answered %+v", ref)
		}
		checkGetBlob(t, c, png)
		checkListBlobs(t, c, ref)
		checkMissingBlobs(t, c)
	})
}

func checkGetBlob(t *testing.T, c *blobClient, png []byte) {
	resp, body := c.getBlob(pngCID, "", nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, png) {
		t.Fatalf("getBlob: %d, %d bytes", resp.StatusCode, len(body))
	}
	for k, want := range map[string]string{
		"Content-Type":            "image/png",
		"Content-Length":          strconv.Itoa(len(png)),
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; sandbox",
		"Content-Disposition":     `attachment; filename="` + pngCID + `"`,
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("getBlob header %s = %q, want %q", k, got, want)
		}
	}
	resp, body = c.getBlob(pngCID, "", http.Header{"Range": {"bytes=0-7"}})
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, png[:8]) {
		t.Errorf("getBlob with Range: %d %x", resp.StatusCode, body)
	}
}

func checkListBlobs(t *testing.T, c *blobClient, ref blobRef) {
	if got := c.listBlobs(url.Values{}); len(got) != 0 {
		t.Errorf("listBlobs before any reference: %v", got)
	}
	first := c.putProfile(nil, nil)
	second := c.putProfile(&ref, nil)
	if got := c.listBlobs(url.Values{}); !slices.Equal(got, []string{pngCID}) {
		t.Errorf("listBlobs = %v, want [%s]", got, pngCID)
	}
	if got := c.listBlobs(url.Values{"since": {first}}); !slices.Equal(got, []string{pngCID}) {
		t.Errorf("listBlobs since the rev before the reference = %v", got)
	}
	if got := c.listBlobs(url.Values{"since": {second}}); len(got) != 0 {
		t.Errorf("listBlobs since the referencing rev = %v", got)
	}
	other := c.mustUpload(blobBytes(100), "image/jpeg")
	c.putProfile(&ref, &other)
	var page struct {
		Cursor string
		CIDs   []string
	}
	c.getJSON("com.atproto.sync.listBlobs", url.Values{"did": {c.did}, "limit": {"1"}}, &page)
	rest := c.listBlobs(url.Values{"cursor": {page.Cursor}})
	if all := append(page.CIDs, rest...); len(page.CIDs) != 1 || len(all) != 2 || all[0] == all[1] {
		t.Errorf("paging listBlobs: %v then %v", page.CIDs, rest)
	}
}

func checkMissingBlobs(t *testing.T, c *blobClient) {
	never := blobRef{Type: "blob", MimeType: "image/png", Size: 10}
	never.Ref.Link = blobs.CID([]byte("never uploaded")).String()
	// createRecord refuses a blob that was never uploaded (BlobNotFound);
	// such records arrive with imported repos. Write one past the HTTP
	// layer, through the engine, as an import would.
	rec, err := atdata.UnmarshalJSON([]byte(`{"$type":"app.bsky.actor.profile","banner":{"$type":"blob","ref":{"$link":"` + never.Ref.Link + `"},"mimeType":"image/png","size":10}}`))
	if err != nil {
		t.Fatal(err)
	}
	w := repo.Write{Action: repo.Put, Collection: "app.bsky.actor.profile", RKey: "self", Record: rec}
	if _, err := c.pds.Server.Engine().Apply(context.Background(), c.did, []repo.Write{w}, repo.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Blobs []struct{ CID, RecordURI string }
	}
	c.getJSON("com.atproto.repo.listMissingBlobs", url.Values{}, &out)
	want := "at://" + c.did + "/app.bsky.actor.profile/self"
	if len(out.Blobs) != 1 || out.Blobs[0].CID != never.Ref.Link || out.Blobs[0].RecordURI != want {
		t.Errorf("listMissingBlobs = %+v", out.Blobs)
	}
}

func TestUploadLimitsAndEncodings(t *testing.T) {
	const limit = 64 << 10
	c := newBlobClient(t, testpds.Options{ExtraArgs: []string{"--blob-limit", "64KiB"}}, "big.test")
	data := blobBytes(limit + 1)
	if status, _ := c.upload(bytes.NewReader(data[:limit]), "application/octet-stream", nil); status != http.StatusOK {
		t.Errorf("upload of exactly the limit: %d", status)
	}
	if status, _ := c.upload(bytes.NewReader(data), "application/octet-stream", nil); status != http.StatusRequestEntityTooLarge {
		t.Errorf("upload over the limit with Content-Length: %d", status)
	}
	// No length known: sent chunked, cut off while streaming.
	if status, _ := c.upload(io.MultiReader(bytes.NewReader(data)), "application/octet-stream", nil); status != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked upload over the limit: %d", status)
	}
	if status, ref := c.upload(strings.NewReader(""), "text/plain", nil); status != http.StatusOK || ref.Size != 0 {
		t.Errorf("empty upload: %d %+v", status, ref)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	text := bytes.Repeat([]byte("squeeze me "), 1000)
	_, _ = zw.Write(text)
	_ = zw.Close()
	status, ref := c.upload(&gz, "text/plain", http.Header{"Content-Encoding": {"gzip"}})
	if status != http.StatusOK || ref.Size != int64(len(text)) || ref.Ref.Link != blobs.CID(text).String() {
		t.Errorf("gzip upload: %d %+v", status, ref)
	}
	bomb := bytes.Repeat([]byte{0}, 2*limit) // compresses well, decodes past the limit
	gz.Reset()
	zw = gzip.NewWriter(&gz)
	_, _ = zw.Write(bomb)
	_ = zw.Close()
	if status, _ := c.upload(&gz, "application/octet-stream", http.Header{"Content-Encoding": {"gzip"}}); status != http.StatusRequestEntityTooLarge {
		t.Errorf("gzip upload decoding past the limit: %d", status)
	}
}

func TestGetBlobAvailability(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := context.Background()
		c := newBlobClient(t, testpds.Options{DBURL: dbURL(t)}, "hidden.test")
		st := c.pds.Server.Store()
		data := blobBytes(500)
		ref := c.mustUpload(data, "image/webp")
		if ref.MimeType != "image/webp" {
			t.Errorf("declared type not kept for unsniffable bytes: %q", ref.MimeType)
		}
		if _, err := st.SetAccountStatus(ctx, c.did, store.StatusDeactivated, nil); err != nil {
			t.Fatal(err)
		}
		if resp, body := c.getBlob(ref.Ref.Link, "", nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "RepoDeactivated") {
			t.Errorf("anonymous getBlob of a deactivated repo: %d %s", resp.StatusCode, body)
		}
		if resp, _ := c.getBlob(ref.Ref.Link, c.access, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("owner's getBlob of a deactivated repo: %d", resp.StatusCode)
		}
		if status, _ := c.upload(bytes.NewReader(blobBytes(10)), "image/png", nil); status != http.StatusOK {
			t.Errorf("upload to a deactivated account (migrating in): %d", status)
		}
		if _, err := st.SetAccountStatus(ctx, c.did, store.StatusActive, nil); err != nil {
			t.Fatal(err)
		}
		checkBlobTakedown(t, c, st, data, ref)
	})
}

func checkBlobTakedown(t *testing.T, c *blobClient, st store.Store, data []byte, ref blobRef) {
	mod, ok := st.(store.Moderation)
	if !ok {
		t.Fatal("store has no moderation")
	}
	blobCID, _ := cid.Decode(ref.Ref.Link)
	if _, err := mod.SetTakedown(context.Background(), store.Subject{DID: c.did, Blob: &blobCID}, "mod-1", nil); err != nil {
		t.Fatal(err)
	}
	if resp, body := c.getBlob(ref.Ref.Link, "", nil); resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "BlobNotFound") {
		t.Errorf("getBlob of a taken-down blob: %d %s", resp.StatusCode, body)
	}
	if status, _ := c.upload(bytes.NewReader(data), "image/webp", nil); status != http.StatusBadRequest {
		t.Errorf("re-upload of a taken-down blob: %d", status)
	}
}

// TestBlobGarbageCollection runs a server with a short grace period: an
// unreferenced blob disappears, a referenced one survives.
func TestBlobGarbageCollection(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		c := newBlobClient(t, testpds.Options{DBURL: dbURL(t), ExtraArgs: []string{"--blob-grace", "300ms"}}, "collected.test")
		kept := c.mustUpload(blobBytes(1000), "image/jpeg")
		loose := c.mustUpload(blobBytes(1000), "image/jpeg")
		c.putProfile(&kept, nil)
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, _ := c.getBlob(loose.Ref.Link, c.access, nil)
			if resp.StatusCode == http.StatusNotFound {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("unreferenced blob still served (%d) long after the grace period", resp.StatusCode)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if resp, _ := c.getBlob(kept.Ref.Link, c.access, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("referenced blob: getBlob %d", resp.StatusCode)
		}
	})
}

// TestUploadBlobWithServiceAuthToken uploads with a token from
// getServiceAuth, as the video service does, and replays it.
func TestUploadBlobWithServiceAuthToken(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		c := newBlobClient(t, testpds.Options{DBURL: dbURL(t)}, "video.test")
		var desc struct{ DID string }
		c.getJSON("com.atproto.server.describeServer", url.Values{}, &desc)
		var tok struct{ Token string }
		c.getJSON("com.atproto.server.getServiceAuth", url.Values{"aud": {desc.DID}, "lxm": {"com.atproto.repo.uploadBlob"}}, &tok)
		user := c.access
		c.access = tok.Token
		data := blobBytes(2000)
		status, ref := c.upload(bytes.NewReader(data), "video/mp4", nil)
		if status != http.StatusOK || ref.Ref.Link != blobs.CID(data).String() {
			t.Fatalf("service-auth upload: %d %+v", status, ref)
		}
		if status, _ := c.upload(bytes.NewReader(data), "video/mp4", nil); status != http.StatusUnauthorized {
			t.Errorf("replayed service-auth token: %d, want 401", status)
		}
		if resp, _ := c.getBlob(ref.Ref.Link, user, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("blob uploaded by service auth not recorded for the account: %d", resp.StatusCode)
		}
	})
}
