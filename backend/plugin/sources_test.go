package plugin

import (
	"context"
	"io"
	"strings"
	"testing"
)

type fakeBlobs map[string]string

func (f fakeBlobs) ReadBlob(_ context.Context, did, cid string, off, n int64) ([]byte, error) {
	b, ok := f[did+"/"+cid]
	if !ok {
		return nil, ErrNotFound
	}
	if off >= int64(len(b)) {
		return nil, nil
	}
	return []byte(b[off:min(off+n, int64(len(b)))]), nil
}

type fakeRepos struct{}

func (fakeRepos) ExportCAR(_ context.Context, did, since string, w io.Writer) error {
	_, err := io.WriteString(w, strings.Repeat("c", 10))
	return err
}

func TestBlobExportCursor(t *testing.T) {
	dir := t.TempDir()
	h := newHost(t, Options{Dir: dir, Blobs: fakeBlobs{"did:plc:alice/bafyblob": "hello, blob"}, Repos: fakeRepos{}})
	installKitchen(t, h, kitchenToml, nil)
	wantReject(t, ask(t, h, "test.blob", map[string]any{"cid": "bafyblob"}), "blob: hello, blob")
	wantReject(t, ask(t, h, "test.blob", map[string]any{"cid": "bafynope"}), "blob error: pdsplugin: not found")
	wantReject(t, ask(t, h, "test.export", nil), "export: 10 bytes")
	wantReject(t, ask(t, h, "test.cursor", nil), "cursor: 42")

	// Not granted: each refused at the call.
	h2 := newHost(t, Options{Blobs: fakeBlobs{}, Repos: fakeRepos{}})
	installKitchen(t, h2, kitchenToml, []Capability{{Kind: CapKVRead}})
	wantReject(t, ask(t, h2, "test.blob", map[string]any{"cid": "x"}), "blob error: pdsplugin: capability not granted: blob:read")
	wantReject(t, ask(t, h2, "test.export", nil), "export error: pdsplugin: capability not granted: repo:export")
	wantReject(t, ask(t, h2, "test.cursor", nil), "cursor error: pdsplugin: capability not granted: firehose:subscribe")

	// The cursor survives a restart.
	h.Close(context.Background())
	h3 := newHost(t, Options{Dir: dir})
	p := h3.plugins["dev.test.kitchen"]
	if p.cursor() != 42 {
		t.Fatalf("cursor after restart = %d", p.cursor())
	}
}
