package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hearthpds/hearth/backend/store"
)

// writeStmts are the writer's hot statements (ApplyCommits and event
// appends), prepared once on the single writer connection.
type writeStmts struct {
	updateRepo        *sql.Stmt
	insertRepo        *sql.Stmt
	insertBlock       *sql.Stmt
	upsertRecord      *sql.Stmt
	deleteRecord      *sql.Stmt
	deleteRecordBlobs *sql.Stmt
	insertRecordBlob  *sql.Stmt
	releaseBlock      *sql.Stmt
	nextSeq           *sql.Stmt
	insertEvent       *sql.Stmt
}

func (ws *writeStmts) prepare(ctx context.Context, db *sql.DB) error {
	return prepareAll(ctx, db, map[**sql.Stmt]string{
		&ws.updateRepo: `UPDATE repos SET commit_cid = ?, rev = ?, data_cid = ?
			WHERE did = ? AND commit_cid = ?`,
		&ws.insertRepo: `INSERT INTO repos (did, commit_cid, rev, data_cid) VALUES (?, ?, ?, ?)
			ON CONFLICT (did) DO NOTHING`,
		// A block already present keeps the rev of the commit that first
		// wrote it.
		&ws.insertBlock: `INSERT OR IGNORE INTO blocks (did, cid, data, rev) VALUES (?, ?, ?, ?)`,
		&ws.upsertRecord: `INSERT INTO records (did, collection, rkey, cid, rev) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (did, collection, rkey) DO UPDATE SET cid = excluded.cid, rev = excluded.rev`,
		&ws.deleteRecord:      `DELETE FROM records WHERE did = ? AND collection = ? AND rkey = ?`,
		&ws.deleteRecordBlobs: `DELETE FROM record_blobs WHERE did = ? AND collection = ? AND rkey = ?`,
		&ws.insertRecordBlob: `INSERT OR IGNORE INTO record_blobs (did, collection, rkey, blob_cid, rev)
			VALUES (?, ?, ?, ?, ?)`,
		&ws.releaseBlock: `DELETE FROM blocks WHERE did = ?1 AND cid = ?2
			AND NOT EXISTS (SELECT 1 FROM records WHERE did = ?1 AND cid = ?2)`,
		&ws.nextSeq:     `UPDATE event_seq SET last = last + 1 WHERE id = 1 RETURNING last`,
		&ws.insertEvent: `INSERT INTO events (seq, did, type, time, body) VALUES (?, ?, ?, ?, ?)`,
	})
}

// readStmts are the read pool's hot statements. A statement prepared on a
// pool is prepared again on each connection the first time it runs there.
type readStmts struct {
	getBlock           *sql.Stmt
	getRecord          *sql.Stmt
	getAccountByDID    *sql.Stmt // every authenticated request reads the account
	getAccountByHandle *sql.Stmt
}

func (rs *readStmts) prepare(ctx context.Context, db *sql.DB) error {
	return prepareAll(ctx, db, map[**sql.Stmt]string{
		&rs.getAccountByDID:    `SELECT ` + accountCols + ` FROM accounts WHERE did = ?`,
		&rs.getAccountByHandle: `SELECT ` + accountCols + ` FROM accounts WHERE handle = ?`,
		&rs.getBlock:           `SELECT data FROM blocks WHERE did = ? AND cid = ?`,
		&rs.getRecord: `SELECT r.cid, r.rev, b.data FROM records r
			JOIN blocks b ON b.did = r.did AND b.cid = r.cid
			WHERE r.did = ? AND r.collection = ? AND r.rkey = ?`,
	})
}

// prepareAll prepares each query into its statement pointer.
func prepareAll(ctx context.Context, db *sql.DB, stmts map[**sql.Stmt]string) error {
	for dst, query := range stmts {
		st, err := db.PrepareContext(ctx, query)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", query, err)
		}
		*dst = st
	}
	return nil
}

// writeTx is one write transaction on the writer connection. Exported Store
// methods own the transaction; the unexported helpers that build on it take
// a *writeTx.
type writeTx struct {
	ctx   context.Context
	tx    *sql.Tx
	st    *writeStmts
	bound map[*sql.Stmt]*sql.Stmt // prepared statements bound to tx
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it, or
// rolls it back when fn fails.
func (s *Store) inTx(ctx context.Context, fn func(w *writeTx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	w := &writeTx{ctx: ctx, tx: tx, st: &s.ws, bound: make(map[*sql.Stmt]*sql.Stmt, 16)}
	if err := fn(w); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.ckpt.committed()
	return nil
}

// stmt binds a writer statement to the transaction (once per transaction).
func (w *writeTx) stmt(s *sql.Stmt) *sql.Stmt {
	b, ok := w.bound[s]
	if !ok {
		b = w.tx.StmtContext(w.ctx, s)
		w.bound[s] = b
	}
	return b
}

// execStmt runs a prepared writer statement, mapping driver errors.
func (w *writeTx) execStmt(s *sql.Stmt, args ...any) (sql.Result, error) {
	res, err := w.stmt(s).ExecContext(w.ctx, args...)
	return res, mapErr(err)
}

// exec runs an ad-hoc statement, mapping driver errors.
func (w *writeTx) exec(query string, args ...any) (sql.Result, error) {
	res, err := w.tx.ExecContext(w.ctx, query, args...)
	return res, mapErr(err)
}

// execOne runs a statement that must change at least one row; none is
// store.ErrNotFound.
func (w *writeTx) execOne(query string, args ...any) error {
	res, err := w.exec(query, args...)
	return oneRow(res, err)
}

// execOne runs a single-statement write outside an explicit transaction; no
// row changed is store.ErrNotFound.
func (s *Store) execOne(ctx context.Context, query string, args ...any) error {
	res, err := s.writer.ExecContext(ctx, query, args...)
	return oneRow(res, mapErr(err))
}

// oneRow checks that a statement changed at least one row.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// appendEvents takes the next seq for each event in order, encodes it and
// stores it, returning the seqs.
func (w *writeTx) appendEvents(events []store.Event) ([]int64, error) {
	if len(events) == 0 {
		return nil, nil
	}
	seqs := make([]int64, 0, len(events))
	for _, ev := range events {
		seq, err := w.appendEvent(ev)
		if err != nil {
			return nil, err
		}
		seqs = append(seqs, seq)
	}
	return seqs, nil
}

// appendEvent assigns the next seq from event_seq (in commit order: this
// transaction holds the write lock), has the event encode its body with it
// and stores the row.
func (w *writeTx) appendEvent(ev store.Event) (int64, error) {
	if ev.Encode == nil {
		return 0, fmt.Errorf("event %s for %s has no Encode", ev.Type, ev.DID)
	}
	var seq int64
	if err := w.stmt(w.st.nextSeq).QueryRowContext(w.ctx).Scan(&seq); err != nil {
		return 0, fmt.Errorf("next seq: %w", err)
	}
	body, err := ev.Encode(seq)
	if err != nil {
		return 0, fmt.Errorf("encode event %d (%s for %s): %w", seq, ev.Type, ev.DID, err)
	}
	if body == nil {
		body = []byte{}
	}
	if _, err := w.execStmt(w.st.insertEvent, seq, ev.DID, ev.Type, micros(ev.Time), body); err != nil {
		return 0, fmt.Errorf("insert event %d: %w", seq, err)
	}
	return seq, nil
}
