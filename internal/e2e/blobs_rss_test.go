package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atclient"

	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestUploadBlobMemory streams a 200 MiB blob into a real server process
// under a raised limit and checks that its peak resident set (VmHWM) grows
// by less than 16 MiB: the upload goes to disk, never whole into memory.
func TestUploadBlobMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("VmHWM is read from Linux's /proc")
	}
	const (
		size    = 200 << 20
		maxGrow = 16 << 20
	)
	addr, dir := freeAddr(t), t.TempDir()
	p := startServer(t, addr, []string{
		"HEARTH_LISTEN=" + addr, "HEARTH_PUBLIC_URL=http://" + addr, "HEARTH_DATA_DIR=" + dir,
		"HEARTH_DB=sqlite://" + dir + "/hearth.db", "HEARTH_PLC_URL=" + testpds.StartPLC(t),
		"HEARTH_HANDLE_DOMAINS=.test", "HEARTH_INVITE_REQUIRED=false", "HEARTH_BLOB_LIMIT=256MiB",
	})
	createAccount(t, p.url, "heavy.test")
	token := blobUploadToken(t, p.url, "heavy.test")
	uploadPattern(t, p.url, token, 4<<20) // warm up the upload path
	before := vmHWM(t, p.cmd.Process.Pid)
	want := uploadPattern(t, p.url, token, size)
	after := vmHWM(t, p.cmd.Process.Pid)
	t.Logf("VmHWM %d KiB before, %d KiB after a %d MiB upload (%s)", before>>10, after>>10, size>>20, want)
	if after-before >= maxGrow {
		t.Errorf("peak RSS grew by %d KiB during the upload, want < %d KiB", (after-before)>>10, maxGrow>>10)
	}
}

// blobPattern is an endless stream of a random 1 MiB block, cheap to produce.
type blobPattern struct {
	block []byte
	off   int
}

func newBlobPattern() *blobPattern {
	b := make([]byte, 1<<20)
	r := rand.NewChaCha8([32]byte{1})
	_, _ = r.Read(b)
	return &blobPattern{block: b}
}

func (p *blobPattern) Read(b []byte) (int, error) {
	n := copy(b, p.block[p.off:])
	p.off = (p.off + n) % len(p.block)
	return n, nil
}

// uploadPattern streams size bytes of the pattern to uploadBlob and checks
// the blob it answers; it returns the blob's CID.
func uploadPattern(t *testing.T, base, token string, size int64) string {
	t.Helper()
	h := sha256.New()
	body := io.TeeReader(io.LimitReader(newBlobPattern(), size), h)
	req, err := http.NewRequest(http.MethodPost, base+"/xrpc/com.atproto.repo.uploadBlob", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Blob struct {
			Ref struct {
				Link string `json:"$link"`
			} `json:"ref"`
			Size int64
		}
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil {
		t.Fatalf("upload of %d bytes: %d %s", size, resp.StatusCode, raw)
	}
	want, _ := blobs.CIDForSHA256(h.Sum(nil))
	if out.Blob.Size != size || out.Blob.Ref.Link != want.String() {
		t.Fatalf("upload answered %+v, want size %d cid %s", out.Blob, size, want)
	}
	return want.String()
}

func blobUploadToken(t *testing.T, base, handle string) string {
	t.Helper()
	var out struct {
		AccessJwt string `json:"accessJwt"`
	}
	err := atclient.NewAPIClient(base).Post(context.Background(), "com.atproto.server.createSession",
		map[string]any{"identifier": handle, "password": "a long enough password"}, &out)
	if err != nil {
		t.Fatalf("createSession: %v", err)
	}
	return out.AccessJwt
}

// vmHWM returns a process's peak resident set size in bytes.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM line %q: %v", sc.Text(), err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}
