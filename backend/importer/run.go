package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/hearthpds/hearth/backend/account"
)

// run is one job's work.
type run struct {
	im    *Importer
	job   *Job
	plan  *plan
	fresh bool // a new import: the account goes if the job does not complete
}

// do runs the job and returns its final phase with the error that failed
// it or, when paused, why blobs are missing.
func (r *run) do(ctx context.Context) (Phase, error) {
	defer r.plan.close(ctx)
	did := r.plan.did
	if r.fresh {
		if err := r.importRepo(ctx); err != nil {
			return r.abort(ctx, err)
		}
		if err := putMarker(ctx, r.im.cfg.Store, did, marker{Step: StepBlobs, Kind: r.plan.kind, PDS: r.plan.pds}); err != nil {
			return r.abort(ctx, err)
		}
	}
	missing, why, err := r.copyBlobs(ctx)
	if err != nil {
		return r.abort(ctx, err)
	}
	step, phase := StepDone, PhaseDone
	if len(missing) > 0 {
		step, phase = StepPaused, PhasePaused
	}
	if err := putMarker(ctx, r.im.cfg.Store, did, marker{Step: step, Kind: r.plan.kind, PDS: r.plan.pds}); err != nil {
		return r.abort(ctx, err)
	}
	r.job.update(func(p *Progress) { p.Missing = missing })
	p := r.job.Progress()
	r.im.log.Info("import "+string(phase), "did", did, "records", p.Records, "repo_bytes", p.RepoBytes,
		"blobs", p.BlobsDone, "blob_bytes", p.BlobBytes, "missing", len(missing))
	return phase, why
}

// abort ends the job cancelled (ctx done) or failed (err); a new import
// removes its account first.
func (r *run) abort(ctx context.Context, err error) (Phase, error) {
	did := r.plan.did
	cancelled := ctx.Err() != nil
	if r.fresh {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		derr := r.im.cfg.Lifecycle.DiscardUnannounced(dctx, did)
		cancel()
		if derr != nil && !errors.Is(derr, account.ErrAccountNotFound) {
			err = errors.Join(err, fmt.Errorf("remove the incomplete account %s: %w", did, derr))
			cancelled = false
		}
	}
	if cancelled {
		r.im.log.Info("import cancelled", "did", did, "account_removed", r.fresh)
		return PhaseCancelled, nil
	}
	r.im.log.Warn("import failed", "did", did, "account_removed", r.fresh, "err", err)
	return PhaseFailed, err
}

// importRepo streams the repository into the account, verified, and
// counts its records.
func (r *run) importRepo(ctx context.Context) error {
	did := r.plan.did
	body, err := r.openRepo(ctx)
	if err != nil {
		return err
	}
	defer body.Close()
	counted := countingReader{r: body, job: r.job, add: func(p *Progress, n int64) { p.RepoBytes += n }}
	if _, err := r.im.cfg.Lifecycle.ImportRepoQuietly(ctx, did, counted, r.im.cfg.MaxRepoBytes); err != nil {
		return fmt.Errorf("import the repository of %s: %w", did, err)
	}
	cols, err := r.im.cfg.Store.ListCollections(ctx, did)
	if err != nil {
		return fmt.Errorf("count the records of %s: %w", did, err)
	}
	var n int64
	for _, c := range cols {
		n += c.Count
	}
	r.job.update(func(p *Progress) { p.Records = int(n) })
	return nil
}

// openRepo opens the CAR stream: the file, or com.atproto.sync.getRepo.
func (r *run) openRepo(ctx context.Context) (io.ReadCloser, error) {
	if r.plan.kind == KindCAR {
		f, err := os.Open(r.plan.carPath)
		if err != nil {
			return nil, fmt.Errorf("open the repository file: %w", err)
		}
		return f, nil
	}
	resp, err := r.plan.rem.get(ctx, "com.atproto.sync.getRepo", url.Values{"did": {r.plan.did}})
	if err != nil {
		return nil, fmt.Errorf("download the repository of %s: %w", r.plan.did, err)
	}
	return resp.Body, nil
}
