package importer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/blobs"
)

// missingPage is how many missing blobs are listed at once.
const missingPage = 500

// copyBlobs copies every blob the account's records reference and it does
// not have yet. It returns the CIDs still missing afterwards with the
// reason, or an error that stops the job (ctx done, the store failing).
func (r *run) copyBlobs(ctx context.Context) (missing []string, why error, err error) {
	todo, err := r.listMissing(ctx)
	if err != nil {
		return nil, nil, err
	}
	r.job.update(func(p *Progress) { p.Phase, p.BlobsTotal = PhaseBlobs, len(todo) })
	var first error
	if len(todo) > 0 && r.plan.rem == nil {
		first = fmt.Errorf("%w: no usable PDS to copy the blobs of %s from (%q)", ErrResolve, r.plan.did, r.plan.pds)
	} else {
		first = r.copyAll(ctx, todo)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	left, err := r.listMissing(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range left {
		missing = append(missing, c.String())
	}
	if len(missing) == 0 {
		return nil, nil, nil
	}
	if first == nil {
		first = errors.New("blobs were referenced while copying")
	}
	return missing, fmt.Errorf("%d blob(s) could not be copied; the first error: %w", len(missing), first), nil
}

// listMissing lists every blob the records reference that is not here.
func (r *run) listMissing(ctx context.Context) ([]cid.Cid, error) {
	var out []cid.Cid
	cursor := ""
	for {
		page, err := r.im.cfg.Store.ListMissingBlobs(ctx, r.plan.did, cursor, missingPage)
		if err != nil {
			return nil, fmt.Errorf("list the missing blobs of %s: %w", r.plan.did, err)
		}
		for _, m := range page {
			out = append(out, m.CID)
		}
		if len(page) < missingPage {
			return out, nil
		}
		cursor = page[len(page)-1].CID.String()
	}
}

// copyAll copies the blobs with a few workers and returns the first
// failure (nil when all arrived).
func (r *run) copyAll(ctx context.Context, todo []cid.Cid) error {
	work := make(chan cid.Cid)
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	for range min(r.im.cfg.Workers, max(len(todo), 1)) {
		wg.Go(func() {
			for c := range work {
				if err := r.copyOne(ctx, c); err != nil && ctx.Err() == nil {
					r.im.log.Warn("import: blob not copied", "did", r.plan.did, "cid", c.String(), "err", err)
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
feed:
	for _, c := range todo {
		select {
		case work <- c:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return first
}

// copyOne copies one blob, trying again after transient failures.
func (r *run) copyOne(ctx context.Context, c cid.Cid) error {
	delay := r.im.cfg.RetryDelay
	for attempt := 1; ; attempt++ {
		err := r.fetchBlob(ctx, c)
		if err == nil {
			r.job.update(func(p *Progress) { p.BlobsDone++ })
			return nil
		}
		if ctx.Err() != nil || !retryable(err) || attempt >= r.im.cfg.Attempts {
			return err
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
		delay *= 2
	}
}

// errMismatch: the bytes a PDS served do not hash to the CID asked for.
var errMismatch = errors.New("blob bytes do not match their CID")

// fetchBlob downloads one blob (com.atproto.sync.getBlob) into the blob
// service, which hashes it on the way; bytes that do not hash to c are
// dropped again.
func (r *run) fetchBlob(ctx context.Context, c cid.Cid) error {
	did := r.plan.did
	resp, err := r.plan.rem.get(ctx, "com.atproto.sync.getBlob", url.Values{"did": {did}, "cid": {c.String()}})
	if err != nil {
		return fmt.Errorf("blob %s: %w", c, err)
	}
	defer resp.Body.Close()
	var read int64
	body := countingReader{r: resp.Body, job: r.job, add: func(p *Progress, n int64) { p.BlobBytes += n; read += n }}
	undo := func() { r.job.update(func(p *Progress) { p.BlobBytes -= read }) }
	b, err := r.im.cfg.Blobs.Upload(ctx, did, resp.Header.Get("Content-Type"), body, r.im.cfg.BlobLimit)
	if err != nil {
		undo()
		return fmt.Errorf("blob %s: %w", c, err)
	}
	if !b.CID.Equals(c) {
		undo()
		if _, err := r.im.cfg.Store.DeleteBlob(ctx, did, b.CID); err != nil {
			r.im.log.Warn("import: drop mismatched blob", "did", did, "cid", b.CID.String(), "err", err)
		}
		return fmt.Errorf("blob %s: %w (they hash to %s)", c, errMismatch, b.CID)
	}
	return nil
}

// retryable reports whether another try may succeed.
func retryable(err error) bool {
	var re *remoteError
	switch {
	case errors.As(err, &re):
		return re.retryable()
	case errors.Is(err, blobs.ErrTooLarge), errors.Is(err, blobs.ErrTakenDown):
		return false
	}
	return true // network errors, cut-off bodies, mismatched bytes
}
