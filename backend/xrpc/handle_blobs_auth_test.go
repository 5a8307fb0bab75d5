package xrpc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/storetest"
	"github.com/hearthpds/hearth/backend/xrpc"
	"github.com/hearthpds/hearth/internal/testdb"
)

// blobStubAuth refuses every session token; blobStubService accepts any
// service-auth token as coming from its iss.
type blobStubAuth struct{}

func (blobStubAuth) Access(context.Context, string) (*xrpc.Viewer, error) {
	return nil, xrpc.Errorf(http.StatusUnauthorized, "InvalidToken", "no sessions here")
}
func (blobStubAuth) Refresh(context.Context, string) (*xrpc.Viewer, error) {
	return nil, xrpc.Errorf(http.StatusUnauthorized, "InvalidToken", "no sessions here")
}
func (blobStubAuth) AdminPassword() string { return "" }

type blobStubService struct{ method string }

func (s *blobStubService) VerifyService(_ context.Context, token, nsid string) (*xrpc.Viewer, error) {
	s.method = nsid
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	var claims struct{ Iss string }
	_ = json.Unmarshal(payload, &claims)
	return &xrpc.Viewer{DID: claims.Iss, Service: true}, nil
}

// serviceToken is an unsigned token shaped like a service-auth JWT.
func blobServiceToken(iss string) string {
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	return enc(map[string]string{"alg": "ES256K", "typ": "JWT"}) + "." +
		enc(map[string]any{"iss": iss, "aud": "did:web:pds.test", "lxm": "com.atproto.repo.uploadBlob", "exp": 4102444800, "jti": "j1"}) + ".c2ln"
}

// TestUploadBlobServiceAuth checks that uploadBlob takes the router's
// service-auth credentials (the video service uploads that way), for an
// account hosted here only.
func TestUploadBlobServiceAuth(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		st := open(t)
		const did = "did:plc:videoaaaaaaaaaaaaaaaaaaa"
		if _, err := st.CreateAccount(t.Context(), storetest.NewAccount(did, "video.test")); err != nil {
			t.Fatal(err)
		}
		disk, err := blobs.NewDisk(filepath.Join(t.TempDir(), "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		svc, err := blobs.New(blobs.Config{Meta: st, Bytes: disk})
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.DiscardHandler)
		rt := xrpc.NewRouter(log, blobStubAuth{})
		verifier := &blobStubService{}
		rt.SetServiceVerifier(verifier)
		rt.Register((&xrpc.BlobHandlers{Store: st, Blobs: svc, Limit: 1 << 20, Log: log}).Methods()...)
		ts := httptest.NewServer(rt)
		defer ts.Close()
		post := func(token string) (int, string) {
			req, _ := http.NewRequest("POST", ts.URL+"/xrpc/com.atproto.repo.uploadBlob", strings.NewReader("frames"))
			req.Header.Set("Content-Type", "video/mp4")
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(raw)
		}
		if status, body := post(blobServiceToken(did)); status != http.StatusOK || !strings.Contains(body, blobs.CID([]byte("frames")).String()) {
			t.Fatalf("service-auth upload: %d %s", status, body)
		}
		if verifier.method != "com.atproto.repo.uploadBlob" {
			t.Errorf("verified for method %q", verifier.method)
		}
		if _, err := st.GetBlob(t.Context(), did, blobs.CID([]byte("frames"))); err != nil {
			t.Errorf("blob not recorded for the token's issuer: %v", err)
		}
		if status, body := post(blobServiceToken("did:plc:elsewhereaaaaaaaaaaaaaaa")); status != http.StatusUnauthorized {
			t.Errorf("service-auth upload for an account not hosted here: %d %s", status, body)
		}
	})
}
