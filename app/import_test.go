package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/internal/testpds"
)

// xrpcCall posts (or, with a nil body, gets) an XRPC method and decodes
// the answer into out.
func xrpcCall(t *testing.T, base, method, token, ctype string, body []byte, out any) {
	t.Helper()
	verb := http.MethodPost
	if body == nil {
		verb = http.MethodGet
	}
	req, _ := http.NewRequest(verb, base+"/xrpc/"+method, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&e)
		t.Fatalf("%s: %d %v", method, resp.StatusCode, e)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
}

// TestImportFromAnotherPDS: the window's "Bring my account here" copies
// records and blobs from a real PDS on loopback; the account is the owner
// afterwards and its DID document still names the old PDS.
func TestImportFromAnotherPDS(t *testing.T) {
	src := testpds.Start(t, testpds.Options{})
	var sess struct{ DID, AccessJwt string }
	mustJSON := func(v any) []byte { b, _ := json.Marshal(v); return b }
	xrpcCall(t, src.URL, "com.atproto.server.createAccount", "", "application/json",
		mustJSON(map[string]string{"handle": "frank.test", "password": "correct horse battery"}), &sess)
	var blob struct{ Blob json.RawMessage }
	xrpcCall(t, src.URL, "com.atproto.repo.uploadBlob", sess.AccessJwt, "image/png", []byte("\x89PNG\r\n\x1a\nnot really a picture"), &blob)
	for i := range 3 {
		rec := map[string]any{"text": fmt.Sprintf("post %d", i), "createdAt": "2026-11-25T03:00:00Z"}
		if i == 0 {
			rec["embed"] = map[string]any{"$type": "app.bsky.embed.images", "images": []any{map[string]any{"alt": "x", "image": blob.Blob}}}
		}
		xrpcCall(t, src.URL, "com.atproto.repo.createRecord", sess.AccessJwt, "application/json",
			mustJSON(map[string]any{"repo": sess.DID, "collection": "app.bsky.feed.post", "record": rec}), nil)
	}

	a := newTestApp(t, "", keys.NewMemKeychain(), "HEARTH_PLC_URL="+src.PLCURL)
	if _, err := a.StartImport(ImportInput{Source: "pds", PDSURL: src.URL, Identifier: "frank.test", Password: "wrong password"}); err == nil {
		t.Fatal("an import with a wrong password started")
	}
	mustState(t, a, PhaseFirstRun)
	st, err := a.StartImport(ImportInput{Source: "pds", PDSURL: src.URL, Identifier: "frank.test", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if st.DID != sess.DID {
		t.Fatalf("import of %s, want %s", st.DID, sess.DID)
	}
	waitFor(t, "the import to finish", func() bool { return a.ImportStatus().Phase == "done" })
	got := a.ImportStatus()
	if got.Records != 3 || got.BlobsDone != 1 || got.BlobsTotal != 1 || got.RepoBytes == 0 || len(got.Missing) != 0 {
		t.Fatalf("import status = %+v", got)
	}
	waitFor(t, "the owner to be recorded", func() bool { return a.State().Phase == PhaseReady })
	info, err := a.Account()
	if err != nil || info.DID != sess.DID || !info.Imported || info.Published {
		t.Fatalf("account = %+v, %v", info, err)
	}
	page, err := a.ListRecords("app.bsky.feed.post", "", 10, "")
	if err != nil || len(page.Records) != 3 {
		t.Fatalf("records = %+v, %v", page, err)
	}
	blobs, err := a.ListBlobs("", 10)
	if err != nil || len(blobs.Blobs) != 1 || blobs.Blobs[0].MimeType != "image/png" {
		t.Fatalf("blobs = %+v, %v", blobs, err)
	}
	thumb, err := a.BlobThumbnail(blobs.Blobs[0].CID)
	if err != nil || !strings.HasPrefix(thumb, "data:image/png;base64,") {
		t.Fatalf("thumbnail = %.40q, %v", thumb, err)
	}
	status := a.ServerStatus()
	if status.DIDDocPointsHere || !strings.Contains(status.DIDDocNote, src.URL) {
		t.Fatalf("DID document note = %q (points here %v); want it to name %s", status.DIDDocNote, status.DIDDocPointsHere, src.URL)
	}
	if _, err := a.StartImport(ImportInput{Source: "pds", PDSURL: src.URL, Identifier: "frank.test", Password: "correct horse battery"}); err == nil {
		t.Fatal("a second import started after the owner exists")
	}
}
