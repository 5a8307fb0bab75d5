package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hearthpds/hearth/backend/store"
)

// writeTx is one write transaction on a pooled connection, driven by
// pipelined batches: statements are queued and sent together by flush, so a
// transaction costs a few round trips whatever its size. BEGIN is queued
// first and COMMIT last, so they ride along with the first and last batch.
//
// A server-side error aborts the rest of its batch (PostgreSQL skips to the
// batch's end) and leaves the transaction failed, to be rolled back. A
// statement queued with a result callback may also refuse the transaction
// (ErrNotFound, ErrInviteUnavailable...); commit therefore flushes such
// statements before it queues COMMIT.
type writeTx struct {
	conn    *pgxpool.Conn
	batch   *pgx.Batch
	checked bool          // batch holds a callback that may refuse the transaction
	events  []queuedEvent // events to number and insert at commit, in order
}

// queuedEvent is an event waiting for its seq, and where to report it.
type queuedEvent struct {
	ev  store.Event
	seq *int64
}

// rollbackTimeout bounds the best-effort ROLLBACK of a failed transaction.
const rollbackTimeout = 5 * time.Second

// write runs fn in a write transaction and commits it, or rolls it back
// when fn or the commit fails. Exported methods own the transaction; the
// helpers that build on it take the *writeTx.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *writeTx) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire a connection: %w", err)
	}
	defer conn.Release()
	tx := &writeTx{conn: conn, batch: &pgx.Batch{}}
	tx.batch.Queue("BEGIN")
	if err := fn(ctx, tx); err != nil {
		tx.rollback()
		return err
	}
	if err := tx.commit(ctx); err != nil {
		tx.rollback()
		return err
	}
	return nil
}

// queue adds a statement whose result is not inspected.
func (tx *writeTx) queue(query string, args ...any) {
	tx.batch.Queue(query, args...)
}

// queueExec adds a statement whose command tag fn checks.
func (tx *writeTx) queueExec(query string, fn func(pgconn.CommandTag) error, args ...any) {
	tx.batch.Queue(query, args...).Exec(fn)
	tx.checked = true
}

// queueRow adds a single-row query whose row fn scans.
func (tx *writeTx) queueRow(query string, fn func(pgx.Row) error, args ...any) {
	tx.batch.Queue(query, args...).QueryRow(fn)
	tx.checked = true
}

// queueRows adds a query whose rows fn reads.
func (tx *writeTx) queueRows(query string, fn func(pgx.Rows) error, args ...any) {
	tx.batch.Queue(query, args...).Query(fn)
	tx.checked = true
}

// addEvent queues an event: commit numbers it, encodes it and inserts it,
// and stores its seq in *seq.
func (tx *writeTx) addEvent(ev store.Event, seq *int64) {
	tx.events = append(tx.events, queuedEvent{ev: ev, seq: seq})
}

// addEvents queues events and returns the slice their seqs will fill, in
// order.
func (tx *writeTx) addEvents(events []store.Event) []int64 {
	if len(events) == 0 {
		return nil
	}
	seqs := make([]int64, len(events))
	for i := range events {
		tx.addEvent(events[i], &seqs[i])
	}
	return seqs
}

// flush sends the queued statements and runs their callbacks.
func (tx *writeTx) flush(ctx context.Context) error {
	if tx.batch.Len() == 0 {
		return nil
	}
	b := tx.batch
	tx.batch, tx.checked = &pgx.Batch{}, false
	return mapErr(tx.conn.SendBatch(ctx, b).Close())
}

// commit numbers and inserts the queued events and commits. With events,
// the event_seq row is locked with the last batch of the transaction's
// statements and held until COMMIT, so the next transaction that wants a seq
// waits for this one to end (docs: "Firehose order").
func (tx *writeTx) commit(ctx context.Context) error {
	switch {
	case len(tx.events) > 0:
		var last int64
		tx.queueRow(`SELECT last FROM event_seq WHERE id = 1 FOR UPDATE`,
			func(row pgx.Row) error { return row.Scan(&last) })
		if err := tx.flush(ctx); err != nil {
			return err
		}
		if err := tx.queueEventRows(last); err != nil {
			return err
		}
	case tx.checked:
		if err := tx.flush(ctx); err != nil {
			return err
		}
	}
	tx.queueExec("COMMIT", func(tag pgconn.CommandTag) error {
		if tag.String() != "COMMIT" { // PostgreSQL answers ROLLBACK to the COMMIT of a failed transaction
			return fmt.Errorf("commit: the transaction was rolled back (%s)", tag)
		}
		return nil
	})
	if err := tx.flush(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// queueEventRows numbers the queued events after last, encodes them, and
// queues their insertion and the new counter value.
func (tx *writeTx) queueEventRows(last int64) error {
	n := len(tx.events)
	var (
		seqs   = make([]int64, n)
		dids   = make([]string, n)
		types  = make([]string, n)
		times  = make([]int64, n)
		bodies = make([][]byte, n)
	)
	for i, qe := range tx.events {
		seq := last + int64(i) + 1
		body, err := encode(qe.ev, seq)
		if err != nil {
			return err
		}
		seqs[i], dids[i], types[i], times[i], bodies[i] = seq, qe.ev.DID, qe.ev.Type, micros(qe.ev.Time), body
		*qe.seq = seq
	}
	tx.queue(`INSERT INTO events (seq, did, type, time, body)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bytea[])`,
		seqs, dids, types, times, bodies)
	tx.queue(`UPDATE event_seq SET last = $1 WHERE id = 1`, last+int64(n))
	return nil
}

// encode builds an event's body for its seq.
func encode(ev store.Event, seq int64) ([]byte, error) {
	if ev.Encode == nil {
		return nil, fmt.Errorf("event %s for %s has no Encode", ev.Type, ev.DID)
	}
	body, err := ev.Encode(seq)
	if err != nil {
		return nil, fmt.Errorf("encode event %d (%s for %s): %w", seq, ev.Type, ev.DID, err)
	}
	if body == nil {
		body = []byte{}
	}
	return body, nil
}

// rollback ends a failed transaction. It is best effort: when ROLLBACK
// cannot be sent (the context was cancelled and pgx closed the connection),
// the pool destroys the connection rather than reuse it, since it is not
// idle, and the server rolls back when the connection goes.
func (tx *writeTx) rollback() {
	pg := tx.conn.Conn().PgConn()
	if pg.IsClosed() || pg.TxStatus() == 'I' {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
	defer cancel()
	_, _ = tx.conn.Exec(ctx, "ROLLBACK")
}
