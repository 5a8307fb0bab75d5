package benchtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// Options choose how the proxy misbehaves.
type Options struct {
	// LieOnCreate, when > 0, makes the LieOnCreate-th createRecord answer
	// 200 with a made-up record and commit without forwarding the request:
	// an acknowledged write that the repo will not hold.
	LieOnCreate int
	// NoFirehose answers com.atproto.sync.subscribeRepos with 404, as a
	// server without a firehose would.
	NoFirehose bool
}

// Proxy serves upstream (a base URL) through a reverse proxy that
// misbehaves as opts say, until the test ends. It returns the proxy's URL.
func Proxy(t testing.TB, upstream string, opts Options) string {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	var creates atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case opts.NoFirehose && strings.HasSuffix(r.URL.Path, "/com.atproto.sync.subscribeRepos"):
			http.Error(w, `{"error":"MethodNotImplemented","message":"no firehose here"}`, http.StatusNotFound)
		case opts.LieOnCreate > 0 && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/com.atproto.repo.createRecord") &&
			creates.Add(1) == int64(opts.LieOnCreate):
			lie(w, r)
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// lie acknowledges a createRecord that never reaches the server.
func lie(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Repo       string `json:"repo"`
		Collection string `json:"collection"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c, err := cid.NewPrefixV1(cid.DagCBOR, multihash.SHA2_256).Sum(append([]byte("a lie "), body...))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	rkey := syntax.NewTIDNow(0).String()
	w.Header().Set("Content-Type", "application/json")
	var out bytes.Buffer
	fmt.Fprintf(&out, `{"uri":"at://%s/%s/%s","cid":"%s","commit":{"cid":"%s","rev":"%s"},"validationStatus":"valid"}`,
		in.Repo, in.Collection, rkey, c, c, rkey)
	_, _ = w.Write(out.Bytes())
}
