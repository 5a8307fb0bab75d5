package xrpc_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestBadInputBlobs(t *testing.T) {
	s := newSession(t)
	did := s.did
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	const (
		upload  = "com.atproto.repo.uploadBlob"
		getBlob = "com.atproto.sync.getBlob"
		list    = "com.atproto.sync.listBlobs"
		missing = "com.atproto.repo.listMissingBlobs"
		someCID = "bafkreicdpmk572qop6kfyed3hbksqg32ikezhorvb34h3q6jdz4d5natie"
		nobody  = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
	)
	runBadCases(t, s, []badCase{
		{name: "upload without auth", method: "POST", nsid: upload, body: "x", ctype: "image/png", status: 401, errName: "AuthRequired"},
		{name: "upload with a bad token", method: "POST", nsid: upload, body: "x", ctype: "image/png", auth: "bad", status: 401, errName: "InvalidToken"},
		{name: "upload with a refresh token", method: "POST", nsid: upload, body: "x", ctype: "image/png", auth: "refresh", status: 401, errName: "InvalidToken"},
		{name: "upload by GET", method: "GET", nsid: upload, auth: "user", status: 405, errName: "InvalidRequest"},
		{name: "upload with a malformed content type", method: "POST", nsid: upload, body: "x", ctype: "image/", auth: "user", status: 400, errName: "InvalidRequest"},

		{name: "getBlob by POST", method: "POST", nsid: getBlob, body: "{}", status: 405, errName: "InvalidRequest"},
		{name: "getBlob without params", method: "GET", nsid: getBlob, status: 400, errName: "InvalidRequest"},
		{name: "getBlob without cid", method: "GET", nsid: getBlob, query: q("did", did), status: 400, errName: "InvalidRequest"},
		{name: "getBlob bad did", method: "GET", nsid: getBlob, query: q("did", "carol.test", "cid", someCID), status: 400, errName: "InvalidRequest"},
		{name: "getBlob bad cid", method: "GET", nsid: getBlob, query: q("did", did, "cid", "not-a-cid"), status: 400, errName: "InvalidRequest"},
		{name: "getBlob unknown repo", method: "GET", nsid: getBlob, query: q("did", nobody, "cid", someCID), status: 404, errName: "RepoNotFound"},
		{name: "getBlob unknown blob", method: "GET", nsid: getBlob, query: q("did", did, "cid", someCID), status: 404, errName: "BlobNotFound"},
		{name: "getBlob bad token", method: "GET", nsid: getBlob, query: q("did", did, "cid", someCID), auth: "bad", status: 401, errName: "InvalidToken"},

		{name: "listBlobs without did", method: "GET", nsid: list, status: 400, errName: "InvalidRequest"},
		{name: "listBlobs bad did", method: "GET", nsid: list, query: q("did", "nope"), status: 400, errName: "InvalidRequest"},
		{name: "listBlobs bad since", method: "GET", nsid: list, query: q("did", did, "since", "yesterday"), status: 400, errName: "InvalidRequest"},
		{name: "listBlobs limit 0", method: "GET", nsid: list, query: q("did", did, "limit", "0"), status: 400, errName: "InvalidRequest"},
		{name: "listBlobs limit too big", method: "GET", nsid: list, query: q("did", did, "limit", "1001"), status: 400, errName: "InvalidRequest"},
		{name: "listBlobs limit not a number", method: "GET", nsid: list, query: q("did", did, "limit", "many"), status: 400, errName: "InvalidRequest"},
		{name: "listBlobs bad cursor", method: "GET", nsid: list, query: q("did", did, "cursor", "zzz"), status: 400, errName: "InvalidRequest"},
		{name: "listBlobs unknown repo", method: "GET", nsid: list, query: q("did", nobody), status: 404, errName: "RepoNotFound"},
		{name: "listBlobs by POST", method: "POST", nsid: list, body: "{}", status: 405, errName: "InvalidRequest"},

		{name: "listMissingBlobs without auth", method: "GET", nsid: missing, status: 401, errName: "AuthRequired"},
		{name: "listMissingBlobs with a refresh token", method: "GET", nsid: missing, auth: "refresh", status: 401, errName: "InvalidToken"},
		{name: "listMissingBlobs bad limit", method: "GET", nsid: missing, query: q("limit", "-1"), auth: "user", status: 400, errName: "InvalidRequest"},
		{name: "listMissingBlobs bad cursor", method: "GET", nsid: missing, query: q("cursor", "x"), auth: "user", status: 400, errName: "InvalidRequest"},
	})
	runRawBadUploads(t, s)
}

// runRawBadUploads sends uploads whose headers badCase cannot express: no
// Content-Type, no body at all, a declared length over the limit, and
// content encodings.
func runRawBadUploads(t *testing.T, s *session) {
	auth := "Authorization: Bearer " + s.access + "\r\n"
	for _, c := range []struct {
		name, head, body string
		status           int
		errName          string
	}{
		{"no content type", auth + "Content-Length: 1\r\n", "x", 400, "InvalidRequest"},
		{"no body", auth + "Content-Type: image/png\r\n", "", 400, "InvalidRequest"},
		{"declared length over the limit", auth + "Content-Type: image/png\r\nContent-Length: 1000000000\r\n", "", 413, "PayloadTooLarge"},
		{"unsupported content encoding", auth + "Content-Type: image/png\r\nContent-Encoding: br\r\nContent-Length: 1\r\n", "x", 415, "UnsupportedMediaType"},
		{"corrupt gzip", auth + "Content-Type: image/png\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n", "not gzip!!", 400, "InvalidRequest"},
		{"truncated body", auth + "Content-Type: image/png\r\nContent-Length: 100\r\n", "short", 400, "InvalidRequest"},
	} {
		status, out := rawBlobPost(t, s.pds.URL, "/xrpc/com.atproto.repo.uploadBlob", c.head, c.body)
		if status != c.status || out["error"] != c.errName || out["message"] == "" {
			t.Errorf("uploadBlob (%s): got %d %q (%s), want %d %s", c.name, status, out["error"], out["message"], c.status, c.errName)
		}
	}
}

// rawPost writes a POST by hand over TCP (so no header is added), half-
// closes the connection and reads the response.
func rawBlobPost(t *testing.T, base, path, head, body string) (int, map[string]string) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := "POST " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nConnection: close\r\n" + head + "\r\n" + body
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: %v", strings.TrimSpace(head), err)
	}
	defer resp.Body.Close()
	var out map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
