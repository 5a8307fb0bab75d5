package importer_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/importer"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestImportTamperedCAR: a CAR whose blocks do not match their CIDs fails
// the import, and the account it created goes.
func TestImportTamperedCAR(t *testing.T) { testdb.RunURL(t, testImportTamperedCAR) }

func testImportTamperedCAR(t *testing.T, dbURL func(testing.TB) string) {
	src, dst, acct := pair(t, dbURL)
	path := carFile(t, src, acct.did)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 0xff // the last block, not the root commit
	writeFile(t, path, data)
	job, err := dst.Server.Importer().Start(context.Background(), importer.Source{Kind: importer.KindCAR, CARPath: path, LocalPassword: password})
	if err != nil {
		t.Fatal(err)
	}
	p := wait(t, job)
	if p.Phase != importer.PhaseFailed || !errors.Is(job.Err(), repo.ErrInvalidRepo) {
		t.Fatalf("tampered CAR: %s %v", p.Phase, job.Err())
	}
	t.Logf("tampered CAR: %s", p.Err)
	checkGone(t, dst, acct)
}

// TestImportForgedBlob: bytes that do not hash to the blob's CID are not
// kept; the import pauses with that blob missing.
func TestImportForgedBlob(t *testing.T) { testdb.RunURL(t, testImportForgedBlob) }

func testImportForgedBlob(t *testing.T, dbURL func(testing.TB) string) {
	src, dst, acct := pair(t, dbURL)
	px := newProxy(t, src.URL)
	var forged string
	for c := range acct.blobs {
		forged = c
		break
	}
	px.setCorrupt(forged, true)
	job, err := dst.Server.Importer().Start(context.Background(), importer.Source{Kind: importer.KindPDS, PDSURL: px.URL, Identifier: acct.handle, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	p := wait(t, job)
	if p.Phase != importer.PhasePaused || !slices.Equal(p.Missing, []string{forged}) || !strings.Contains(p.Err, "do not match their CID") {
		t.Fatalf("forged blob: %+v", p)
	}
	for c, data := range acct.blobs {
		if c != forged {
			p.BlobBytes -= int64(len(data))
		}
	}
	if p.BlobBytes != 0 {
		t.Fatalf("blob bytes count the forged blob: %d left over", p.BlobBytes)
	}
}

// TestImporterClose: closing the importer cancels a running import, which
// removes its account; nothing secret reaches the log.
func TestImporterClose(t *testing.T) {
	plc := testpds.StartPLC(t)
	src := testpds.Start(t, testpds.Options{PLCURL: plc})
	dst := testpds.Start(t, testpds.Options{PLCURL: plc})
	acct := seed(t, src)
	var logs bytes.Buffer
	im, err := importer.New(importer.Config{
		Accounts: dst.Server.Accounts(), Lifecycle: dst.Server.Lifecycle(), Blobs: dst.Server.Blobs(),
		Store: dst.Server.Store(), Directory: dst.Server.Directory(),
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, src.URL)
	px.setHold(true)
	t.Cleanup(func() { px.setHold(false) })
	job, err := im.Start(context.Background(), importer.Source{Kind: importer.KindPDS, PDSURL: px.URL, Identifier: acct.handle, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-px.held:
	case <-time.After(30 * time.Second):
		t.Fatal("no getBlob arrived")
	}
	im.Close()
	select {
	case <-job.Done():
	default:
		t.Fatal("Close returned before the job ended")
	}
	if p := job.Progress(); p.Phase != importer.PhaseCancelled {
		t.Fatalf("job after Close: %s (%s)", p.Phase, p.Err)
	}
	checkGone(t, dst, acct)
	if _, err := im.Start(context.Background(), importer.Source{Kind: importer.KindPDS, PDSURL: src.URL, Identifier: acct.handle, Password: password}); !errors.Is(err, importer.ErrClosed) {
		t.Fatalf("start after Close: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, "import started") || !strings.Contains(out, "import cancelled") {
		t.Fatalf("log misses the import's story:\n%s", out)
	}
	if strings.Contains(out, password) || strings.Contains(out, "eyJ") {
		t.Fatalf("log holds a password or token:\n%s", out)
	}
}
