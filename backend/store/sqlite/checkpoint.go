package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints copy the write-ahead log back into the database file. SQLite
// runs them by default in the writer's own commit, every 1,000 log pages: a
// sequential write of ~18 pages then paid for a checkpoint (copying up to
// 1,000 pages and two fsyncs) every ~55 commits, 7% of its CPU and the
// slowest percentile of its latency. The Store instead checkpoints from a
// connection of its own, in the background, every checkpointInterval while
// there are commits, so the writer only appends to the log. The writer's
// automatic checkpoint stays as a backstop, at a larger size, for when the
// background one falls behind.
//
// Durability is unchanged: a checkpoint syncs the log before copying it
// (synchronous=NORMAL), and a commit is still durable against a process
// crash once it is in the log.

// checkpointInterval is how often the background checkpoint runs while
// there are new commits.
const checkpointInterval = 100 * time.Millisecond

// writerAutoCheckpoint is the writer's backstop: it checkpoints in its own
// commits while the log holds this many pages (64 MiB of 4 KiB pages, the
// size the log is truncated back to). The log only starts over from its
// beginning when a checkpoint copied all of it and no reader still uses it,
// so it may grow well past what one background round copies.
const writerAutoCheckpoint = walSizeLimit / 4096

// checkpointer runs PASSIVE checkpoints on its own connection.
type checkpointer struct {
	db      *sql.DB
	commits atomic.Int64 // commits since the last checkpoint
	stop    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

// checkpointerDSN configures the checkpoint connection: a read-write
// connection that never writes rows (it only runs wal_checkpoint).
func checkpointerDSN(path string) string {
	return fileURI(path, checkpointerQuery())
}

// startCheckpointer opens the checkpoint connection and starts its loop.
func startCheckpointer(ctx context.Context, path string) (*checkpointer, error) {
	db, err := connect(ctx, checkpointerDSN(path), 1)
	if err != nil {
		return nil, err
	}
	c := &checkpointer{db: db, stop: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c, nil
}

// committed counts a commit; the next round checkpoints it.
func (c *checkpointer) committed() {
	if c != nil {
		c.commits.Add(1)
	}
}

func (c *checkpointer) loop() {
	defer c.wg.Done()
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		if c.commits.Swap(0) == 0 {
			continue
		}
		// A failure is retried next round; the writer's own checkpoint is
		// the backstop. PASSIVE never waits for readers or the writer.
		_, _, _ = c.checkpoint(context.Background())
	}
}

// checkpoint runs one PASSIVE checkpoint and returns the log's size and
// how much of it is now in the database file, in pages.
func (c *checkpointer) checkpoint(ctx context.Context) (logPages, copied int64, err error) {
	var busy int64
	if err := c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &copied); err != nil {
		return 0, 0, fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	return logPages, copied, nil
}

// close stops the loop and closes the connection.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.once.Do(func() { close(c.stop) })
	c.wg.Wait()
	return c.db.Close()
}
