package app

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/hearthpds/hearth/backend/importer"
)

// ImportInput is the "Bring my account here" form.
type ImportInput struct {
	// Source is "pds" (log in to the current PDS) or "car" (a repository
	// file; blobs come from the PDS the DID document names).
	Source     string `json:"source"`
	PDSURL     string `json:"pdsUrl"`
	Identifier string `json:"identifier"`
	Password   string `json:"password"`
	CARPath    string `json:"carPath"`
	// Handle overrides the handle the account gets here.
	Handle string `json:"handle"`
	// LocalPassword is the password here (a CAR import needs one; a PDS
	// import uses Password when it is empty).
	LocalPassword string `json:"localPassword"`
}

// ImportStatus is the import's progress.
type ImportStatus struct {
	// Phase is "idle", "repo", "blobs", "paused", "done", "cancelled" or
	// "failed".
	Phase      string    `json:"phase"`
	DID        string    `json:"did"`
	Handle     string    `json:"handle"`
	PDS        string    `json:"pds"`
	RepoBytes  int64     `json:"repoBytes"`
	Records    int       `json:"records"`
	BlobsDone  int       `json:"blobsDone"`
	BlobsTotal int       `json:"blobsTotal"`
	BlobBytes  int64     `json:"blobBytes"`
	Missing    []string  `json:"missing"`
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"startedAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// importState is the app's one import: the running job, or the last one's
// final progress.
type importState struct {
	mu   sync.Mutex
	job  *importer.Job
	last *ImportStatus
}

func newImportState() *importState { return &importState{} }

// active reports whether an import runs.
func (s *importState) active() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.job != nil && !s.job.Progress().Phase.Final()
}

// cancelRunning cancels a running import (on quit).
func (s *importState) cancelRunning() {
	s.mu.Lock()
	job := s.job
	s.mu.Unlock()
	if job != nil && !job.Progress().Phase.Final() {
		job.Cancel()
		<-job.Done()
	}
}

func statusOf(p importer.Progress) ImportStatus {
	missing := p.Missing
	if missing == nil {
		missing = []string{}
	}
	return ImportStatus{
		Phase: string(p.Phase), DID: p.DID, Handle: p.Handle, PDS: p.PDS, RepoBytes: p.RepoBytes,
		Records: p.Records, BlobsDone: p.BlobsDone, BlobsTotal: p.BlobsTotal, BlobBytes: p.BlobBytes,
		Missing: missing, Error: p.Err, StartedAt: p.StartedAt, UpdatedAt: p.UpdatedAt,
	}
}

// StartImport brings the owner's account here from its current PDS (or a
// CAR file): the repository and every blob are copied and verified while
// the old PDS stays authoritative; the DID switches only when the user
// goes public. Progress is read with ImportStatus.
func (a *App) StartImport(in ImportInput) (ImportStatus, error) {
	run, err := a.current()
	if err != nil {
		return ImportStatus{}, err
	}
	if _, err := a.owner(); err == nil {
		return ImportStatus{}, invalid("this install already has its account")
	}
	if a.importer.active() {
		return ImportStatus{}, invalid("an import is already running")
	}
	job, err := run.srv.Importer().Start(context.Background(), importer.Source{
		Kind: in.Source, PDSURL: in.PDSURL, Identifier: in.Identifier, Password: in.Password,
		CARPath: in.CARPath, Handle: in.Handle, LocalPassword: in.LocalPassword,
	})
	if err != nil {
		return ImportStatus{}, uiError(err)
	}
	p := job.Progress()
	if err := a.setOwner(ownerFile{DID: p.DID, Imported: true, Importing: true}); err != nil {
		job.Cancel()
		return ImportStatus{}, uiError(err)
	}
	a.watchImport(job)
	return statusOf(p), nil
}

// watchImport keeps the job and settles the owner record when it ends:
// done or paused keeps the account, cancelled or failed forgets it (the
// importer removed it).
func (a *App) watchImport(job *importer.Job) {
	a.importer.mu.Lock()
	a.importer.job = job
	a.importer.mu.Unlock()
	go func() {
		<-job.Done()
		p := job.Progress()
		switch p.Phase {
		case importer.PhaseDone:
			_ = a.setOwner(ownerFile{DID: p.DID, Imported: true})
		case importer.PhasePaused:
			_ = a.setOwner(ownerFile{DID: p.DID, Imported: true, Importing: true})
		default:
			if o, err := a.owner(); err == nil && o.DID == p.DID && o.Importing {
				_ = os.Remove(a.ownerPath())
			}
		}
		a.log.Info("import ended", "did", p.DID, "phase", string(p.Phase), "missing", len(p.Missing))
	}()
}

// ImportStatus returns the running or last import's progress; after a
// restart, a paused import's state as kept with the account.
func (a *App) ImportStatus() ImportStatus {
	a.importer.mu.Lock()
	job := a.importer.job
	a.importer.mu.Unlock()
	if job != nil {
		return statusOf(job.Progress())
	}
	o, err := a.owner()
	if err != nil || !o.Importing {
		return ImportStatus{Phase: "idle", Missing: []string{}}
	}
	st := ImportStatus{Phase: "paused", DID: o.DID, Missing: []string{}}
	if run, err := a.current(); err == nil {
		if step, err := run.srv.Importer().Status(context.Background(), o.DID); err == nil {
			st.Phase = string(step)
		}
	}
	return st
}

// CancelImport stops the running import; a new account it was creating is
// removed entirely.
func (a *App) CancelImport() error {
	a.importer.mu.Lock()
	job := a.importer.job
	a.importer.mu.Unlock()
	if job == nil || job.Progress().Phase.Final() {
		return invalid("no import is running")
	}
	job.Cancel()
	<-job.Done()
	return nil
}

// ResumeImport fetches the blobs a paused import still misses.
func (a *App) ResumeImport() (ImportStatus, error) {
	run, err := a.current()
	if err != nil {
		return ImportStatus{}, err
	}
	o, err := a.owner()
	if err != nil || !o.Importing {
		return ImportStatus{}, invalid("there is no paused import")
	}
	if a.importer.active() {
		return ImportStatus{}, invalid("the import is already running")
	}
	job, err := run.srv.Importer().Resume(context.Background(), o.DID)
	if err != nil {
		return ImportStatus{}, uiError(err)
	}
	a.watchImport(job)
	return statusOf(job.Progress()), nil
}

// DiscardImport removes a paused import's account (repo, records and
// blobs), back to the first-run choice.
func (a *App) DiscardImport() error {
	run, err := a.current()
	if err != nil {
		return err
	}
	o, err := a.owner()
	if err != nil || !o.Importing {
		return invalid("there is no paused import")
	}
	if err := run.srv.Importer().Discard(context.Background(), o.DID); err != nil && !errors.Is(err, importer.ErrNoImport) {
		return uiError(err)
	}
	a.importer.mu.Lock()
	a.importer.job = nil
	a.importer.mu.Unlock()
	return os.Remove(a.ownerPath())
}
