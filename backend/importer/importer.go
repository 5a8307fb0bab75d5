package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
)

// Defaults of Config.
const (
	DefaultBlobLimit  = 100 << 20
	DefaultAttempts   = 3
	DefaultRetryDelay = 500 * time.Millisecond
	DefaultWorkers    = 4
)

// Config configures an Importer. Accounts, Lifecycle, Blobs, Store and
// Directory are required.
type Config struct {
	Accounts  *account.Service
	Lifecycle *account.Lifecycle
	Blobs     *blobs.Service
	Store     store.Store
	// Directory resolves handles and DIDs (the server's).
	Directory indigoid.Directory
	// HTTPClient talks to the source PDS. It should have no overall
	// Timeout (a repository or a video can take long); requests follow
	// their job's context. Nil: a client with connect and response-header
	// timeouts only.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// MaxRepoBytes bounds the repository (repo.DefaultMaxImportSize).
	MaxRepoBytes int64
	// BlobLimit is the largest blob copied (DefaultBlobLimit).
	BlobLimit int64
	// Attempts is how often a blob is tried before it counts as missing
	// (DefaultAttempts); RetryDelay the first pause between tries, doubled
	// after each (DefaultRetryDelay).
	Attempts   int
	RetryDelay time.Duration
	// Workers is how many blobs are copied at once (DefaultWorkers).
	Workers int
}

// Importer runs imports, at most one per DID at a time. It is safe for
// concurrent use.
type Importer struct {
	cfg  Config
	log  *slog.Logger
	base context.Context // parent of every job; cancelled by Close
	stop context.CancelFunc

	mu     sync.Mutex
	jobs   map[string]*Job // by DID: running jobs and reservations (nil)
	closed bool
	wg     sync.WaitGroup
}

// New checks cfg and returns an Importer.
func New(cfg Config) (*Importer, error) {
	if cfg.Accounts == nil || cfg.Lifecycle == nil || cfg.Blobs == nil || cfg.Store == nil || cfg.Directory == nil {
		return nil, errors.New("importer: Config needs Accounts, Lifecycle, Blobs, Store and Directory")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = defaultClient()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxRepoBytes <= 0 {
		cfg.MaxRepoBytes = repo.DefaultMaxImportSize
	}
	if cfg.BlobLimit <= 0 {
		cfg.BlobLimit = DefaultBlobLimit
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = DefaultAttempts
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	base, stop := context.WithCancel(context.Background())
	return &Importer{cfg: cfg, log: cfg.Logger, base: base, stop: stop, jobs: map[string]*Job{}}, nil
}

// defaultClient has no overall timeout: jobs' contexts bound requests.
func defaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = time.Minute
	return &http.Client{Transport: t}
}

// Start begins importing the account src names and returns its job.
// What can be checked at once is, before any account is made here: the
// source, the sign-in at the current PDS (ErrLogin), the DID document
// (ErrResolve), that the DID is not hosted here yet (ErrAlreadyHosted) and
// the handle and password the account gets here (account errors). Start
// then creates the account (deactivated) and the job downloads, verifies
// and copies the rest in the background until it is done, paused,
// cancelled or failed. ctx bounds only Start itself.
func (im *Importer) Start(ctx context.Context, src Source) (*Job, error) {
	if err := src.check(); err != nil {
		return nil, err
	}
	p, err := im.plan(ctx, src)
	if err != nil {
		return nil, err
	}
	if err := im.reserve(p.did); err != nil {
		p.close(ctx)
		return nil, err
	}
	job, err := im.begin(ctx, p, src.localPassword())
	if err != nil {
		im.release(p.did)
		p.close(ctx)
		return nil, err
	}
	return job, nil
}

// Resume copies the blobs a paused (or interrupted) import of did still
// misses, with public com.atproto.sync.getBlob calls to the PDS the import
// used (for a CAR file, the one its DID document named; when none was
// known, the one it names now), and returns the job; it
// ends done when none is missing any more, paused otherwise. Cancelling it
// leaves the account as it was.
func (im *Importer) Resume(ctx context.Context, did string) (*Job, error) {
	m, err := im.importState(ctx, did)
	if err != nil {
		return nil, err
	}
	if m.Step == StepRepo {
		return nil, fmt.Errorf("%w: the import of %s stopped before its repository arrived; discard it and start again", ErrNoImport, did)
	}
	pds := m.PDS
	if pds == "" {
		ident, err := lookupDID(ctx, im.cfg.Directory, did)
		if err != nil {
			return nil, err
		}
		pds = ident.PDSEndpoint()
	}
	acct, err := im.cfg.Store.GetAccount(ctx, did)
	if err != nil {
		return nil, fmt.Errorf("resume import of %s: %w", did, err)
	}
	if err := im.reserve(did); err != nil {
		return nil, err
	}
	p := &plan{did: did, handle: acct.Handle, kind: m.Kind, pds: pds}
	if p.pds != "" {
		if p.rem, err = newRemote(im.cfg.HTTPClient, p.pds); err != nil {
			p.rem = nil // an unusable endpoint: every blob stays missing
		}
	}
	jctx, cancel := context.WithCancel(im.base)
	job := newJob(Progress{Phase: PhaseBlobs, DID: did, Handle: acct.Handle, PDS: p.pds}, cancel)
	im.launch(jctx, job, p, false)
	im.log.Info("import resumed", "did", did, "pds", p.pds)
	return job, nil
}

// Discard removes an import that is not complete (paused or interrupted):
// the account with its repo, records and blobs. It refuses while a job of
// the DID runs (ErrBusy; cancel it first) and for a complete import.
func (im *Importer) Discard(ctx context.Context, did string) error {
	m, err := im.importState(ctx, did)
	if err != nil {
		return err
	}
	if m.Step == StepDone {
		return fmt.Errorf("%w: the import of %s is complete; delete the account instead", ErrNoImport, did)
	}
	if err := im.reserve(did); err != nil {
		return err
	}
	defer im.release(did)
	if err := im.cfg.Lifecycle.DiscardUnannounced(ctx, did); err != nil {
		return fmt.Errorf("discard import of %s: %w", did, err)
	}
	im.log.Info("import discarded", "did", did)
	return nil
}

// Status returns the step an import of did reached, as kept with the
// account (ErrNoImport when there is none); a running job's Progress says
// more.
func (im *Importer) Status(ctx context.Context, did string) (Step, error) {
	m, err := im.importState(ctx, did)
	return m.Step, err
}

// Job returns the running job of did, or nil.
func (im *Importer) Job(did string) *Job {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.jobs[did]
}

// Close cancels every running job, waits for them to end (a new import
// removes its account) and refuses new ones.
func (im *Importer) Close() {
	im.mu.Lock()
	im.closed = true
	im.mu.Unlock()
	im.stop()
	im.wg.Wait()
}

// importState returns the kept state of did's import (ErrNoImport).
func (im *Importer) importState(ctx context.Context, did string) (marker, error) {
	m, ok, err := getMarker(ctx, im.cfg.Store, did)
	if err != nil {
		return m, err
	}
	if !ok {
		return m, fmt.Errorf("%w: %s", ErrNoImport, did)
	}
	return m, nil
}

// reserve claims did for one job (ErrBusy, ErrClosed).
func (im *Importer) reserve(did string) error {
	im.mu.Lock()
	defer im.mu.Unlock()
	if im.closed {
		return ErrClosed
	}
	if _, ok := im.jobs[did]; ok {
		return fmt.Errorf("%w: %s", ErrBusy, did)
	}
	im.jobs[did] = nil
	im.wg.Add(1) // Close waits for every reservation to be released
	return nil
}

// release frees the reservation of did (taken by reserve, no job).
func (im *Importer) release(did string) {
	im.unregister(did, nil)
	im.wg.Done()
}

// unregister forgets did's job (or reservation, job nil); Close still
// waits until the matching wg.Done.
func (im *Importer) unregister(did string, job *Job) {
	im.mu.Lock()
	defer im.mu.Unlock()
	if cur, ok := im.jobs[did]; ok && cur == job {
		delete(im.jobs, did)
	}
}

// launch turns the reservation of the plan's DID into job and runs it in
// the background. fresh marks a new import (its account goes if it does
// not complete).
func (im *Importer) launch(ctx context.Context, job *Job, p *plan, fresh bool) {
	im.mu.Lock()
	im.jobs[p.did] = job
	im.mu.Unlock()
	go func() {
		defer im.wg.Done() // Close returns once the job has finished
		phase, err := (&run{im: im, job: job, plan: p, fresh: fresh}).do(ctx)
		im.unregister(p.did, job) // first: once Done, a new job of the DID may start
		job.finish(phase, err)
	}()
}
