package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// AppendEvents appends events in one transaction and returns their seqs.
func (s *Store) AppendEvents(ctx context.Context, events []store.Event) ([]int64, error) {
	if len(events) == 0 {
		return nil, nil
	}
	var seqs []int64
	err := s.inTx(ctx, func(w *writeTx) error {
		var err error
		seqs, err = w.appendEvents(events)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: append events: %w", err)
	}
	return seqs, nil
}

const eventCols = `seq, did, type, time, body`

func scanEvent(row scanner) (store.StoredEvent, error) {
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

// ListEvents returns up to limit events with seq > after, by seq.
func (s *Store) ListEvents(ctx context.Context, after int64, limit int) ([]store.StoredEvent, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+eventCols+` FROM events
		WHERE seq > ? ORDER BY seq LIMIT ?`, after, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list events after %d: %w", after, err)
	}
	events, err := collect(rows, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list events after %d: %w", after, err)
	}
	return events, nil
}

// LatestSeq returns the highest assigned seq, 0 before the first event. It
// reads the counter, so it stays right after retention emptied the log.
func (s *Store) LatestSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.reader.QueryRowContext(ctx, `SELECT last FROM event_seq WHERE id = 1`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("sqlite: latest seq: %w", err)
	}
	return seq, nil
}

// OldestEvent returns the event with the lowest seq still stored.
func (s *Store) OldestEvent(ctx context.Context) (store.StoredEvent, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events ORDER BY seq LIMIT 1`)
	e, err := scanEvent(row)
	if err != nil {
		return store.StoredEvent{}, fmt.Errorf("sqlite: oldest event: %w", err)
	}
	return e, nil
}

// DeleteEventsBefore removes the events older than t.
func (s *Store) DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.writer.ExecContext(ctx, `DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events WHERE time < ?)`, micros(t))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete events before %s: %w", t, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete events before %s: %w", t, err)
	}
	return n, nil
}
