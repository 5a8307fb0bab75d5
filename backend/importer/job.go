package importer

import (
	"context"
	"io"
	"slices"
	"sync"
	"time"
)

// Phase is where an import job is.
type Phase string

// The phases of a job. Repo and blobs are running; the others are final.
const (
	PhaseRepo      Phase = "repo"      // downloading and verifying the repository
	PhaseBlobs     Phase = "blobs"     // copying the blobs the records reference
	PhasePaused    Phase = "paused"    // repo here, some blobs missing (Progress.Missing); Resume later
	PhaseDone      Phase = "done"      // every record and blob copied and verified
	PhaseCancelled Phase = "cancelled" // stopped; a new import's account was removed
	PhaseFailed    Phase = "failed"    // stopped by an error (Progress.Err); a new import's account was removed
)

// Final reports whether the job has ended in this phase.
func (p Phase) Final() bool {
	return p != PhaseRepo && p != PhaseBlobs
}

// Progress is a snapshot of a job.
type Progress struct {
	Phase  Phase
	DID    string
	Handle string
	// PDS is where the repo and blobs come from ("" when a CAR file's DID
	// document names no PDS).
	PDS string
	// RepoBytes counts the repository bytes read so far; Records is the
	// number of records once the repository is imported.
	RepoBytes int64
	Records   int
	// BlobsTotal is how many blobs were missing when copying began;
	// BlobsDone how many of them are copied; BlobBytes the bytes copied.
	BlobsDone  int
	BlobsTotal int
	BlobBytes  int64
	// Missing are the CIDs of the blobs still missing (paused jobs).
	Missing []string
	// Err says what went wrong (failed jobs) or why blobs are missing
	// (paused jobs).
	Err       string
	StartedAt time.Time
	UpdatedAt time.Time
}

// Job is one running or finished import. Its methods are safe for
// concurrent use.
type Job struct {
	cancel context.CancelFunc
	done   chan struct{}

	mu  sync.Mutex
	p   Progress
	err error
}

func newJob(p Progress, cancel context.CancelFunc) *Job {
	now := time.Now().UTC()
	p.StartedAt, p.UpdatedAt = now, now
	return &Job{cancel: cancel, done: make(chan struct{}), p: p}
}

// Progress returns a snapshot of the job's progress.
func (j *Job) Progress() Progress {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := j.p
	p.Missing = slices.Clone(p.Missing)
	return p
}

// Err returns the error that failed the job (nil unless PhaseFailed).
func (j *Job) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Cancel stops the job. A new import that has not completed removes the
// account it created; Done is closed once that is over.
func (j *Job) Cancel() { j.cancel() }

// Done is closed when the job has ended.
func (j *Job) Done() <-chan struct{} { return j.done }

// Wait blocks until the job ends or ctx is done, and returns the final
// progress (or the current one and ctx's error).
func (j *Job) Wait(ctx context.Context) (Progress, error) {
	select {
	case <-j.done:
		return j.Progress(), nil
	case <-ctx.Done():
		return j.Progress(), ctx.Err()
	}
}

// update changes the progress under the lock.
func (j *Job) update(fn func(p *Progress)) {
	j.mu.Lock()
	fn(&j.p)
	j.p.UpdatedAt = time.Now().UTC()
	j.mu.Unlock()
}

// finish records the final phase and closes Done.
func (j *Job) finish(phase Phase, err error) {
	j.update(func(p *Progress) {
		p.Phase = phase
		if err != nil {
			p.Err = err.Error()
		}
	})
	j.mu.Lock()
	if phase == PhaseFailed {
		j.err = err
	}
	j.mu.Unlock()
	close(j.done)
}

// countingReader adds the bytes read through it to a counter of the job.
type countingReader struct {
	r   io.Reader
	job *Job
	add func(p *Progress, n int64)
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if n > 0 {
		c.job.update(func(p *Progress) { c.add(p, int64(n)) })
	}
	return n, err
}
