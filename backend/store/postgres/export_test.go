package postgres

import "context"

// LockWaiting reports whether a connection whose application_name is app
// waits for a lock, from pg_stat_activity. Tests use it to know that a
// second writer is blocked behind a first one.
func LockWaiting(ctx context.Context, s *Store, app string) (bool, error) {
	var waiting bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
		WHERE application_name = $1 AND wait_event_type = 'Lock')`, app).Scan(&waiting)
	return waiting, err
}

// Analyze refreshes the planner statistics of the store's tables, as
// autovacuum does in production once tables have grown.
func Analyze(ctx context.Context, s *Store) error {
	_, err := s.pool.Exec(ctx, `ANALYZE`)
	return err
}
