//go:build !wasip1

package main

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

// The GET Object example of the S3 SigV4 documentation
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
func TestSigV4AWSExample(t *testing.T) {
	const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	r := signedRequest{method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", payload: empty,
		headers: map[string]string{"range": "bytes=0-9", "x-amz-content-sha256": empty, "x-amz-date": "20130524T000000Z"}}
	canon, signed := canonicalRequest(r)
	wantCanon := "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n" +
		"x-amz-content-sha256:" + empty + "\nx-amz-date:20130524T000000Z\n\n" +
		"host;range;x-amz-content-sha256;x-amz-date\n" + empty
	if canon != wantCanon || signed != "host;range;x-amz-content-sha256;x-amz-date" {
		t.Fatalf("canonical request =\n%s\nwant\n%s", canon, wantCanon)
	}
	if h := hexSHA256([]byte(canon)); h != "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972" {
		t.Fatalf("canonical request hash = %s", h)
	}
	s := signer{accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1"}
	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date," +
		"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	if got := s.authorization(r, "20130524T000000Z"); got != want {
		t.Fatalf("Authorization =\n%s\nwant\n%s", got, want)
	}
}

func TestURIEncoding(t *testing.T) {
	for in, want := range map[string]string{
		"blobs/did:plc:abc/bafkrei": "blobs/did%3Aplc%3Aabc/bafkrei",
		"a b+c~d_e.f-g":             "a%20b%2Bc~d_e.f-g",
		"é":                         "%C3%A9",
	} {
		if got := uriEncode(in, false); got != want {
			t.Errorf("uriEncode(%q) = %q, want %q", in, got, want)
		}
	}
	if got := uriEncode("a/b", true); got != "a%2Fb" {
		t.Errorf("uriEncode(a/b, encodeSlash) = %q", got)
	}
	if got := canonicalQuery(map[string]string{"uploadId": "x y/z", "partNumber": "2"}); got != "partNumber=2&uploadId=x%20y%2Fz" {
		t.Errorf("canonicalQuery = %q", got)
	}
	if got := canonicalQuery(map[string]string{"uploads": ""}); got != "uploads=" {
		t.Errorf("canonicalQuery(uploads) = %q", got)
	}
}

// fakeS3 is a minimal S3 behind pds.Fake.Fetch: objects, multipart
// uploads (part ETags checked, parts but the last at least 5 MiB), and a
// check that every request carries the payload hash and MD5 of its body
// and a SigV4 Authorization for the configured key.
type fakeS3 struct {
	t        *testing.T
	objects  map[string][]byte
	uploads  map[string]map[int][]byte
	requests []string
	failNext int // answer 500 to that many requests
}

func newFakeS3(t *testing.T) *fakeS3 {
	return &fakeS3{t: t, objects: map[string][]byte{}, uploads: map[string]map[int][]byte{}}
}

func (f *fakeS3) fetch(req pds.HTTPRequest) (*pds.HTTPResponse, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		f.t.Fatalf("bad URL %q", req.URL)
	}
	q := u.Query()
	f.requests = append(f.requests, req.Method+" "+u.Path+"?"+u.RawQuery)
	f.checkSigned(req, u)
	if f.failNext > 0 {
		f.failNext--
		return &pds.HTTPResponse{Status: 500, Body: []byte("<Error><Code>InternalError</Code><Message>try again</Message></Error>")}, nil
	}
	key, ok := strings.CutPrefix(u.Path, "/bucket/")
	if !ok {
		return &pds.HTTPResponse{Status: 404}, nil
	}
	switch {
	case req.Method == "PUT" && q.Has("uploadId"):
		var n int
		fmt.Sscan(q.Get("partNumber"), &n)
		f.uploads[q.Get("uploadId")][n] = req.Body
	case req.Method == "PUT":
		f.objects[key] = req.Body
	case req.Method == "POST" && q.Has("uploads"):
		id := fmt.Sprintf("upload-%d", len(f.uploads)+1)
		f.uploads[id] = map[int][]byte{}
		return &pds.HTTPResponse{Status: 200, Body: []byte("<InitiateMultipartUploadResult><UploadId>" + id + "</UploadId></InitiateMultipartUploadResult>")}, nil
	case req.Method == "POST" && q.Has("uploadId"):
		f.complete(key, q.Get("uploadId"), req.Body)
	case req.Method == "DELETE":
		delete(f.uploads, q.Get("uploadId"))
	}
	return &pds.HTTPResponse{Status: 200}, nil
}

func (f *fakeS3) checkSigned(req pds.HTTPRequest, u *url.URL) {
	sum := sha256.Sum256(req.Body)
	if req.Headers["x-amz-content-sha256"] != hex.EncodeToString(sum[:]) {
		f.t.Errorf("%s %s: x-amz-content-sha256 is not the body's", req.Method, u)
	}
	if m := req.Headers["content-md5"]; m != "" {
		sum := md5.Sum(req.Body)
		if m != base64.StdEncoding.EncodeToString(sum[:]) {
			f.t.Errorf("%s %s: content-md5 is not the body's", req.Method, u)
		}
	}
	if a := req.Headers["Authorization"]; !strings.HasPrefix(a, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(a, "/eu-west-1/s3/aws4_request,") {
		f.t.Errorf("%s %s: Authorization %q", req.Method, u, a)
	}
}

func (f *fakeS3) complete(key, id string, body []byte) {
	var in struct {
		Part []struct {
			PartNumber int
			ETag       string
		}
	}
	if err := xml.Unmarshal(body, &in); err != nil {
		f.t.Fatalf("CompleteMultipartUpload body %q: %v", body, err)
	}
	var obj []byte
	for i, p := range in.Part {
		part := f.uploads[id][p.PartNumber]
		sum := md5.Sum(part)
		if p.PartNumber != i+1 || p.ETag != `"`+hex.EncodeToString(sum[:])+`"` {
			f.t.Fatalf("part %d: number %d, ETag %s", i+1, p.PartNumber, p.ETag)
		}
		if i < len(in.Part)-1 && len(part) < 5<<20 {
			f.t.Fatalf("part %d is %d bytes, under S3's 5 MiB", i+1, len(part))
		}
		obj = append(obj, part...)
	}
	f.objects[key] = obj
	delete(f.uploads, id)
}

func withFakeS3(t *testing.T, extra map[string]string) *fakeS3 {
	t.Helper()
	s3 := newFakeS3(t)
	cfg := map[string]string{"endpoint": "https://s3.example.net", "bucket": "bucket", "region": "eu-west-1",
		"access_key_id": "AKID", "secret_access_key": "secret", "prefix": "pds/"}
	for k, v := range extra {
		cfg[k] = v
	}
	*pds.Fake = pds.FakeHost{Config: cfg, Fetch: s3.fetch, Blobs: map[string][]byte{}}
	return s3
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>11)
	}
	return b
}

func TestBlobsMirrored(t *testing.T) {
	s3 := withFakeS3(t, nil)
	small, big := pattern(100<<10), pattern(11<<20+7) // big: two full 5 MiB parts and a short one
	pds.Fake.Blobs["did:plc:alice/bafsmall"] = small
	pds.Fake.Blobs["did:plc:alice/bafbig"] = big
	pds.Registered().AfterBlobUpload(pds.BlobEvent{Repo: "did:plc:alice", CID: "bafsmall", Mime: "image/png", Size: int64(len(small))})
	pds.Registered().AfterBlobUpload(pds.BlobEvent{Repo: "did:plc:alice", CID: "bafbig", Mime: "video/mp4", Size: int64(len(big))})
	if !bytes.Equal(s3.objects["pds/blobs/did:plc:alice/bafsmall"], small) || !bytes.Equal(s3.objects["pds/blobs/did:plc:alice/bafbig"], big) {
		t.Fatalf("objects: %d keys; requests %q", len(s3.objects), s3.requests)
	}
	want := []string{
		"PUT /bucket/pds/blobs/did:plc:alice/bafsmall?",
		"POST /bucket/pds/blobs/did:plc:alice/bafbig?uploads=",
		"PUT /bucket/pds/blobs/did:plc:alice/bafbig?partNumber=1&uploadId=upload-1",
		"PUT /bucket/pds/blobs/did:plc:alice/bafbig?partNumber=2&uploadId=upload-1",
		"PUT /bucket/pds/blobs/did:plc:alice/bafbig?partNumber=3&uploadId=upload-1",
		"POST /bucket/pds/blobs/did:plc:alice/bafbig?uploadId=upload-1",
	}
	if strings.Join(s3.requests, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests:\n%s\nwant\n%s", strings.Join(s3.requests, "\n"), strings.Join(want, "\n"))
	}
}

func TestFailedMultipartAbortedAndRetried(t *testing.T) {
	s3 := withFakeS3(t, map[string]string{"snapshot_every_commits": "1000", "snapshot_interval_minutes": "0"})
	big := pattern(6 << 20)
	pds.Fake.Blobs["did:plc:alice/bafbig"] = big
	pds.Fake.KV = map[string][]byte{"snap/did:plc:alice": []byte(`{"at":1,"rev":"r0","commits":0}`)}
	// Fail the second part: the upload is aborted and the blob queued.
	calls := 0
	pds.Fake.Fetch = func(req pds.HTTPRequest) (*pds.HTTPResponse, error) {
		calls++
		if calls == 3 {
			s3.failNext = 1
		}
		return s3.fetch(req)
	}
	pds.Registered().AfterBlobUpload(pds.BlobEvent{Repo: "did:plc:alice", CID: "bafbig", Mime: "video/mp4", Size: int64(len(big))})
	if len(s3.uploads) != 0 || !strings.HasPrefix(s3.requests[len(s3.requests)-1], "DELETE ") {
		t.Fatalf("the failed upload was not aborted: %q", s3.requests)
	}
	if string(pds.Fake.KV["retry/blob/did:plc:alice/bafbig"]) != "1 video/mp4" {
		t.Fatalf("kv = %q", pds.Fake.KV)
	}
	// The next commit (no snapshot due) retries it.
	pds.Registered().OnCommit(pds.CommitEvent{Seq: 2, Repo: "did:plc:alice", Rev: "r2"})
	if !bytes.Equal(s3.objects["pds/blobs/did:plc:alice/bafbig"], big) {
		t.Fatal("the failed blob was not copied on retry")
	}
	if _, ok := pds.Fake.KV["retry/blob/did:plc:alice/bafbig"]; ok {
		t.Fatal("the retry entry stayed after the copy")
	}
}

func TestSnapshotsByCommitCount(t *testing.T) {
	s3 := withFakeS3(t, map[string]string{"snapshot_every_commits": "3", "snapshot_interval_minutes": "0"})
	pds.Fake.CAR = pattern(2<<20 + 5)
	for i := 1; i <= 7; i++ {
		pds.Registered().OnCommit(pds.CommitEvent{Seq: int64(i), Repo: "did:plc:alice", Rev: fmt.Sprintf("rev%d", i)})
	}
	var keys []string
	for k, v := range s3.objects {
		keys = append(keys, k)
		if !bytes.Equal(v, pds.Fake.CAR) {
			t.Fatalf("%s differs from the export", k)
		}
	}
	if len(keys) != 3 || s3.objects["pds/repos/did:plc:alice/rev1.car"] == nil ||
		s3.objects["pds/repos/did:plc:alice/rev4.car"] == nil || s3.objects["pds/repos/did:plc:alice/rev7.car"] == nil {
		t.Fatalf("snapshots %q, want rev1, rev4 and rev7", keys)
	}
}

func TestSnapshotByInterval(t *testing.T) {
	s3 := withFakeS3(t, map[string]string{"snapshot_every_commits": "0", "snapshot_interval_minutes": "60"})
	pds.Fake.CAR = []byte("car")
	recent := snapState{At: time.Now().Add(-59 * time.Minute).Unix(), Rev: "old"}
	saveSnap("did:plc:alice", recent)
	pds.Registered().OnCommit(pds.CommitEvent{Seq: 1, Repo: "did:plc:alice", Rev: "r1"})
	if len(s3.objects) != 0 {
		t.Fatal("a snapshot was taken before the interval passed")
	}
	saveSnap("did:plc:alice", snapState{At: time.Now().Add(-61 * time.Minute).Unix(), Rev: "old"})
	pds.Registered().OnCommit(pds.CommitEvent{Seq: 2, Repo: "did:plc:alice", Rev: "r2"})
	if string(s3.objects["pds/repos/did:plc:alice/r2.car"]) != "car" {
		t.Fatalf("no snapshot after the interval: %q", s3.requests)
	}
	if s := loadSnap("did:plc:alice"); s.Rev != "r2" || s.Commits != 0 {
		t.Fatalf("state after the snapshot: %+v", s)
	}
}

func TestNotConfiguredDoesNothing(t *testing.T) {
	s3 := withFakeS3(t, map[string]string{"secret_access_key": ""})
	pds.Registered().OnCommit(pds.CommitEvent{Seq: 1, Repo: "did:plc:alice", Rev: "r1"})
	if len(s3.requests) != 0 || !strings.Contains(strings.Join(pds.Fake.Logs, "\n"), "must be configured") {
		t.Fatalf("requests %q, logs %q", s3.requests, pds.Fake.Logs)
	}
}

func TestRefusedFetchFailsTheHook(t *testing.T) {
	withFakeS3(t, nil)
	pds.Fake.CAR = []byte("car")
	pds.Fake.Fetch = func(pds.HTTPRequest) (*pds.HTTPResponse, error) {
		return nil, &pds.HostError{Status: pds.StatusDenied, Message: `host "s3.example.net" is not in the plugin's http:fetch hosts`}
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "is not in the plugin's http:fetch hosts") {
			t.Fatalf("panic = %v", p)
		}
	}()
	pds.Registered().OnCommit(pds.CommitEvent{Seq: 1, Repo: "did:plc:alice", Rev: "r1"})
}

func TestPartSizeBounded(t *testing.T) {
	for v, ok := range map[string]bool{"4": false, "5": true, "16": true, "17": false, "x": false} {
		withFakeS3(t, map[string]string{"part_size_mib": v})
		c, err := loadConfig()
		if (err == nil) != ok || (ok && c.PartSize>>20 == 0) {
			t.Errorf("part_size_mib %s: %v, %d", v, err, c.PartSize)
		}
	}
}
