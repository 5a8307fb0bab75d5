package importer_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/importer"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// pair starts a source and a destination server sharing one PLC
// directory, and seeds an account on the source.
func pair(t *testing.T, dbURL func(testing.TB) string) (src, dst *testpds.PDS, acct *account) {
	plc := testpds.StartPLC(t)
	src = testpds.Start(t, testpds.Options{DBURL: dbURL(t), PLCURL: plc})
	dst = testpds.Start(t, testpds.Options{DBURL: dbURL(t), PLCURL: plc})
	return src, dst, seed(t, src)
}

// TestImportFromPDS logs in to the source and copies the account.
func TestImportFromPDS(t *testing.T) { testdb.RunURL(t, testImportFromPDS) }

func testImportFromPDS(t *testing.T, dbURL func(testing.TB) string) {
	src, dst, acct := pair(t, dbURL)
	ctx := context.Background()
	im := dst.Server.Importer()
	job, err := im.Start(ctx, importer.Source{Kind: importer.KindPDS, PDSURL: src.URL, Identifier: acct.handle, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	p := wait(t, job)
	if p.Phase != importer.PhaseDone || p.Err != "" || len(p.Missing) != 0 {
		t.Fatalf("import ended %s (%s), missing %v", p.Phase, p.Err, p.Missing)
	}
	checkProgress(t, p, acct, int64(len(carBytes(t, src, acct.did))))
	checkCopied(t, src, dst, acct)
	checkDIDStillAt(t, dst, acct.did, src.URL)
	checkImported(t, dst, acct)

	// A second import of the same DID is refused at once.
	_, err = im.Start(ctx, importer.Source{Kind: importer.KindPDS, PDSURL: src.URL, Identifier: acct.handle, Password: password})
	if !errors.Is(err, importer.ErrAlreadyHosted) {
		t.Fatalf("second import: %v, want ErrAlreadyHosted", err)
	}
	// A complete import is not discarded.
	if err := im.Discard(ctx, acct.did); !errors.Is(err, importer.ErrNoImport) {
		t.Fatalf("discard a complete import: %v", err)
	}
}

// TestImportFromCAR imports a CAR file; the blobs come from the PDS the
// DID document names, without logging in.
func TestImportFromCAR(t *testing.T) { testdb.RunURL(t, testImportFromCAR) }

func testImportFromCAR(t *testing.T, dbURL func(testing.TB) string) {
	src, dst, acct := pair(t, dbURL)
	ctx := context.Background()
	path := carFile(t, src, acct.did)
	im := dst.Server.Importer()
	if _, err := im.Start(ctx, importer.Source{Kind: importer.KindCAR, CARPath: path}); !errors.Is(err, importer.ErrInvalidSource) {
		t.Fatalf("CAR without a local password: %v", err)
	}
	job, err := im.Start(ctx, importer.Source{Kind: importer.KindCAR, CARPath: path, LocalPassword: "another long password"})
	if err != nil {
		t.Fatal(err)
	}
	p := wait(t, job)
	if p.Phase != importer.PhaseDone || p.PDS != src.URL {
		t.Fatalf("import ended %s (%s) from %q", p.Phase, p.Err, p.PDS)
	}
	checkProgress(t, p, acct, int64(len(carBytes(t, src, acct.did))))
	checkCopied(t, src, dst, acct)
	checkDIDStillAt(t, dst, acct.did, src.URL)
	checkImported(t, dst, acct)
	if _, err := dst.Server.Accounts().Login(ctx, acct.handle, "another long password"); err != nil {
		t.Fatalf("log in here with the local password: %v", err)
	}
}

// TestImportCancel cancels while blobs are being copied: the account goes.
func TestImportCancel(t *testing.T) { testdb.RunURL(t, testImportCancel) }

func testImportCancel(t *testing.T, dbURL func(testing.TB) string) {
	src, dst, acct := pair(t, dbURL)
	px := newProxy(t, src.URL)
	var held string
	for c := range acct.blobs {
		held = c
		break
	}
	px.holdOnly = held // the other blobs are copied; this one waits
	px.setHold(true)
	t.Cleanup(func() { px.setHold(false) })
	job, err := dst.Server.Importer().Start(context.Background(), importer.Source{Kind: importer.KindPDS, PDSURL: px.URL, Identifier: acct.did, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-px.held:
	case <-time.After(30 * time.Second):
		t.Fatalf("no getBlob arrived; progress %+v", job.Progress())
	}
	deadline := time.Now().Add(30 * time.Second)
	for job.Progress().BlobsDone < len(acct.blobs)-1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	p := job.Progress()
	if p.Phase != importer.PhaseBlobs || p.Records != acct.records || p.BlobsTotal != len(acct.blobs) || p.BlobsDone != len(acct.blobs)-1 {
		t.Fatalf("progress while one blob is held: %+v", p)
	}
	for c := range acct.blobs {
		parsed, _ := cid.Decode(c)
		if _, err := dst.Server.Store().GetBlob(context.Background(), acct.did, parsed); (err == nil) != (c != held) {
			t.Fatalf("blob %s before cancelling: %v", c, err)
		}
	}
	if dst.Server.Importer().Job(acct.did) != job {
		t.Fatal("Job does not return the running job")
	}
	if _, err := dst.Server.Store().GetAccount(context.Background(), acct.did); err != nil {
		t.Fatalf("account while importing: %v", err)
	}
	job.Cancel()
	p = wait(t, job)
	if p.Phase != importer.PhaseCancelled {
		t.Fatalf("cancelled import ended %s (%s)", p.Phase, p.Err)
	}
	checkGone(t, dst, acct)
	checkBytesGone(t, dst, acct)
	if dst.Server.Importer().Job(acct.did) != nil {
		t.Fatal("a cancelled job is still listed")
	}
	checkDIDStillAt(t, dst, acct.did, src.URL)
}

// TestImportPauseResume fails one blob: the import pauses with it missing,
// and Resume fetches only that one once the source serves it.
func TestImportPauseResume(t *testing.T) { testdb.RunURL(t, testImportPauseResume) }

func testImportPauseResume(t *testing.T, dbURL func(testing.TB) string) {
	src, dst, acct := pair(t, dbURL)
	ctx := context.Background()
	px := newProxy(t, src.URL)
	var bad string
	for c := range acct.blobs {
		bad = c
		break
	}
	px.setFail(bad, true)
	im := dst.Server.Importer()
	job, err := im.Start(ctx, importer.Source{Kind: importer.KindPDS, PDSURL: px.URL, Identifier: acct.handle, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	p := wait(t, job)
	if p.Phase != importer.PhasePaused || !slices.Equal(p.Missing, []string{bad}) || p.BlobsDone != len(acct.blobs)-1 || p.Err == "" {
		t.Fatalf("import with a failing blob: %+v", p)
	}
	if got := px.blobRequests(); got != len(acct.blobs)-1+importer.DefaultAttempts {
		t.Fatalf("%d getBlob requests, want %d (each blob once, the failing one %d times)", got, len(acct.blobs)-1+importer.DefaultAttempts, importer.DefaultAttempts)
	}
	if step, err := im.Status(ctx, acct.did); err != nil || step != importer.StepPaused {
		t.Fatalf("status of a paused import: %s %v", step, err)
	}
	if records(t, dst.Server.Store(), acct.did, "app.bsky.feed.post") == nil {
		t.Fatal("the repo of a paused import is gone")
	}
	// Still failing: Resume pauses again.
	job, err = im.Resume(ctx, acct.did)
	if err != nil {
		t.Fatal(err)
	}
	if p := wait(t, job); p.Phase != importer.PhasePaused || !slices.Equal(p.Missing, []string{bad}) || p.BlobsTotal != 1 {
		t.Fatalf("resume while the blob fails: %+v", p)
	}
	px.setFail(bad, false)
	before := px.blobRequests()
	job, err = im.Resume(ctx, acct.did)
	if err != nil {
		t.Fatal(err)
	}
	p = wait(t, job)
	if p.Phase != importer.PhaseDone || len(p.Missing) != 0 || p.BlobsDone != 1 || p.BlobsTotal != 1 || p.BlobBytes != int64(len(acct.blobs[bad])) {
		t.Fatalf("resume: %+v", p)
	}
	if got := px.blobRequests() - before; got != 1 {
		t.Fatalf("resume made %d getBlob requests, want 1", got)
	}
	checkCopied(t, src, dst, acct)
	checkImported(t, dst, acct)
}

// TestImportDiscardPaused discards a paused import: nothing is left.
func TestImportDiscardPaused(t *testing.T) { testdb.RunURL(t, testImportDiscardPaused) }

func testImportDiscardPaused(t *testing.T, dbURL func(testing.TB) string) {
	src, dst, acct := pair(t, dbURL)
	ctx := context.Background()
	px := newProxy(t, src.URL)
	for c := range acct.blobs {
		px.setFail(c, true)
	}
	im := dst.Server.Importer()
	job, err := im.Start(ctx, importer.Source{Kind: importer.KindPDS, PDSURL: px.URL, Identifier: acct.handle, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if p := wait(t, job); p.Phase != importer.PhasePaused || len(p.Missing) != len(acct.blobs) {
		t.Fatalf("import with every blob failing: %+v", p)
	}
	if _, err := im.Start(ctx, importer.Source{Kind: importer.KindPDS, PDSURL: px.URL, Identifier: acct.handle, Password: password}); !errors.Is(err, importer.ErrAlreadyHosted) {
		t.Fatalf("start over a paused import: %v", err)
	}
	if err := im.Discard(ctx, acct.did); err != nil {
		t.Fatal(err)
	}
	checkGone(t, dst, acct)
}

// TestImportWrongPassword: a clear error, and no account is made.
func TestImportWrongPassword(t *testing.T) { testdb.RunURL(t, testImportWrongPassword) }

func testImportWrongPassword(t *testing.T, dbURL func(testing.TB) string) {
	src, dst, acct := pair(t, dbURL)
	_, err := dst.Server.Importer().Start(context.Background(), importer.Source{Kind: importer.KindPDS, PDSURL: src.URL, Identifier: acct.handle, Password: "not the password"})
	if !errors.Is(err, importer.ErrLogin) {
		t.Fatalf("wrong password: %v, want ErrLogin", err)
	}
	t.Logf("wrong password: %v", err)
	// Without a PDS URL, the DID's document names the PDS to sign in to.
	_, err = dst.Server.Importer().Start(context.Background(), importer.Source{Kind: importer.KindPDS, Identifier: acct.did, Password: "not the password"})
	if !errors.Is(err, importer.ErrLogin) || !strings.Contains(err.Error(), src.URL) {
		t.Fatalf("wrong password at the resolved PDS: %v, want ErrLogin at %s", err, src.URL)
	}
	checkGone(t, dst, acct)
}

// TestImportBadSources: bad input gets clear errors and makes nothing.
func TestImportBadSources(t *testing.T) {
	plc := testpds.StartPLC(t)
	dst := testpds.Start(t, testpds.Options{PLCURL: plc})
	garbage := t.TempDir() + "/garbage.car"
	writeFile(t, garbage, []byte("not a car"))
	for name, src := range map[string]importer.Source{
		"no kind":         {},
		"unknown kind":    {Kind: "ftp"},
		"no identifier":   {Kind: importer.KindPDS, PDSURL: "http://127.0.0.1:1", Password: "x"},
		"no password":     {Kind: importer.KindPDS, PDSURL: "http://127.0.0.1:1", Identifier: "alice.test"},
		"bad URL":         {Kind: importer.KindPDS, PDSURL: "ftp://pds", Identifier: "alice.test", Password: "x"},
		"bad identifier":  {Kind: importer.KindPDS, Identifier: "not a handle!", Password: "x"},
		"no CAR path":     {Kind: importer.KindCAR, LocalPassword: "x"},
		"missing CAR":     {Kind: importer.KindCAR, CARPath: t.TempDir() + "/none.car", LocalPassword: "x"},
		"not a CAR":       {Kind: importer.KindCAR, CARPath: garbage, LocalPassword: "x"},
		"unreachable PDS": {Kind: importer.KindPDS, PDSURL: "http://127.0.0.1:1", Identifier: "alice.test", Password: "x"},
	} {
		_, err := dst.Server.Importer().Start(context.Background(), src)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		t.Logf("%s: %v", name, err)
	}
	accts, err := dst.Server.Store().ListAccounts(context.Background(), "", 10)
	if err != nil || len(accts) != 0 {
		t.Fatalf("accounts after bad sources: %v %v", accts, err)
	}
	if _, err := dst.Server.Importer().Resume(context.Background(), "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"); !errors.Is(err, importer.ErrNoImport) {
		t.Fatalf("resume of nothing: %v", err)
	}
}

// checkProgress checks a finished job's counters.
func checkProgress(t testing.TB, p importer.Progress, acct *account, repoBytes int64) {
	t.Helper()
	var blobBytes int64
	for _, b := range acct.blobs {
		blobBytes += int64(len(b))
	}
	if p.DID != acct.did || p.Handle != acct.handle || p.RepoBytes != repoBytes || p.Records != acct.records ||
		p.BlobsDone != len(acct.blobs) || p.BlobsTotal != len(acct.blobs) || p.BlobBytes != blobBytes ||
		p.StartedAt.IsZero() || p.UpdatedAt.Before(p.StartedAt) {
		t.Fatalf("progress %+v; want %d repo bytes, %d records, %d blobs of %d bytes", p, repoBytes, acct.records, len(acct.blobs), blobBytes)
	}
}

// checkImported checks the imported account's state here: deactivated,
// silent on the firehose, its import recorded as done.
func checkImported(t testing.TB, dst *testpds.PDS, acct *account) {
	t.Helper()
	ctx := context.Background()
	a, err := dst.Server.Store().GetAccount(ctx, acct.did)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != store.StatusDeactivated || a.Handle != acct.handle {
		t.Fatalf("imported account: status %s, handle %s", a.Status, a.Handle)
	}
	if step, err := dst.Server.Importer().Status(ctx, acct.did); err != nil || step != importer.StepDone {
		t.Fatalf("import status: %s %v", step, err)
	}
	checkNoEvents(t, dst, acct.did)
}
