package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hearthpds/hearth/backend/store"
)

// AppendEvents appends events outside a commit and returns their seqs, in
// one transaction that holds the event_seq row lock until it commits.
func (s *Store) AppendEvents(ctx context.Context, events []store.Event) ([]int64, error) {
	if len(events) == 0 {
		return nil, nil
	}
	var seqs []int64
	err := s.write(ctx, func(_ context.Context, tx *writeTx) error {
		seqs = tx.addEvents(events)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: append events: %w", err)
	}
	return seqs, nil
}

const eventCols = `seq, did, type, time, body`

func scanEvent(row pgx.Row) (store.StoredEvent, error) {
	var (
		e  store.StoredEvent
		at int64
	)
	if err := row.Scan(&e.Seq, &e.DID, &e.Type, &at, &e.Body); err != nil {
		return store.StoredEvent{}, mapErr(err)
	}
	e.Time = fromMicros(at)
	return e, nil
}

// ListEvents returns up to limit events with seq > after, by seq. Seqs
// become visible in commit order (see the package documentation), so a
// reader that goes on from the last seq it saw misses none.
func (s *Store) ListEvents(ctx context.Context, after int64, limit int) ([]store.StoredEvent, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+eventCols+` FROM events
		WHERE seq > $1 ORDER BY seq LIMIT $2`, after, sqlLimit(limit))
	events, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("postgres: list events after %d: %w", after, err)
	}
	return events, nil
}

// LatestSeq returns the last seq handed out, from the counter (so it stays
// right after retention emptied the log).
func (s *Store) LatestSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.pool.QueryRow(ctx, `SELECT last FROM event_seq WHERE id = 1`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("postgres: latest seq: %w", err)
	}
	return seq, nil
}

// OldestEvent returns the oldest event still stored.
func (s *Store) OldestEvent(ctx context.Context) (store.StoredEvent, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+eventCols+` FROM events ORDER BY seq LIMIT 1`)
	e, err := scanEvent(row)
	if err != nil {
		return store.StoredEvent{}, fmt.Errorf("postgres: oldest event: %w", err)
	}
	return e, nil
}

// DeleteEventsBefore removes the events older than t.
func (s *Store) DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events WHERE time < $1)`, micros(t))
	if err != nil {
		return 0, fmt.Errorf("postgres: delete events before %s: %w", t.Format(time.RFC3339), err)
	}
	return tag.RowsAffected(), nil
}
