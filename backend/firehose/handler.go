package firehose

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	comatproto "github.com/bluesky-social/indigo/api/atproto"
	"github.com/coder/websocket"

	"github.com/hearthpds/hearth/backend/store"
)

// Error and info names of the subscribeRepos stream, as the reference PDS
// sends them.
const (
	ErrNameInvalidRequest  = "InvalidRequest"
	ErrNameFutureCursor    = "FutureCursor"
	ErrNameConsumerTooSlow = "ConsumerTooSlow"
	ErrNameInternal        = "InternalServerError"
	InfoOutdatedCursor     = "OutdatedCursor"
)

// streamError ends a stream with an error frame.
type streamError struct {
	name, message string
}

func (e *streamError) Error() string { return e.name + ": " + e.message }

// internalError is a failure of the server (the database), not of the
// connection: it is logged and reported to the client.
type internalError struct{ err error }

func (e *internalError) Error() string { return e.err.Error() }
func (e *internalError) Unwrap() error { return e.err }

// ServeHTTP serves com.atproto.sync.subscribeRepos: it upgrades the request
// to a websocket, replays the log from the cursor (if any) and then follows
// the live stream. Like the reference PDS, it reports bad parameters, a
// cursor in the future and a consumer too slow to keep up as an error frame
// followed by a close (code 1008), and a cursor older than the retention
// window as an #info OutdatedCursor frame before replaying what is left.
func (s *Sequencer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		writeJSONError(w, http.StatusBadRequest, ErrNameInvalidRequest,
			"com.atproto.sync.subscribeRepos is a websocket subscription: connect with a websocket client")
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // a public stream, read by any origin; no cookies are involved
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		s.log.Debug("websocket upgrade failed", "err", err)
		return
	}
	st := &stream{s: s, conn: conn}
	st.serve(r.Context(), r.URL.Query().Get("cursor"), r.URL.Query().Has("cursor"))
}

// stream is one subscribeRepos connection.
type stream struct {
	s    *Sequencer
	conn *websocket.Conn
}

func (st *stream) serve(ctx context.Context, rawCursor string, hasCursor bool) {
	ctx = st.conn.CloseRead(ctx) // ends when the client goes away
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-st.s.done:
			cancel()
		case <-ctx.Done():
		}
	}()

	sub := newSubscriber(st.s.opts.BufferSize)
	defer st.s.detach(sub)
	err := st.start(ctx, sub, rawCursor, hasCursor)
	if err == nil {
		err = st.live(ctx, sub)
	}
	st.finish(err)
}

// start replays from the cursor, if any, and makes sub live.
func (st *stream) start(ctx context.Context, sub *subscriber, rawCursor string, hasCursor bool) error {
	if !hasCursor {
		return st.s.attachLive(sub)
	}
	cursor, err := parseCursor(rawCursor)
	if err != nil {
		return err
	}
	return st.replay(ctx, sub, cursor)
}

func parseCursor(raw string) (int64, error) {
	cursor, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, &streamError{ErrNameInvalidRequest, fmt.Sprintf("Invalid com.atproto.sync.subscribeRepos params: cursor must be an integer (got %q)", raw)}
	}
	return max(cursor, 0), nil
}

// replay sends the stored events after cursor, then hands over to the live
// stream: it reads the database page by page until the sequencer's history
// holds everything after the last event it sent, and then attaches.
func (st *stream) replay(ctx context.Context, sub *subscriber, cursor int64) error {
	cur, outdated, err := st.startPoint(ctx, cursor)
	if err != nil {
		return err
	}
	if outdated {
		if err := st.sendOutdated(ctx); err != nil {
			return err
		}
	}
	cutoff := st.s.opts.Now().Add(-st.s.opts.Retention)
	inWindow := false
	for {
		page, err := st.s.opts.Log.ListEvents(ctx, cur, st.s.opts.PageSize)
		if err != nil {
			return &internalError{fmt.Errorf("firehose: replay after %d: %w", cur, err)}
		}
		for _, ev := range page {
			cur = ev.Seq
			if !inWindow && ev.Time.Before(cutoff) {
				if !outdated {
					outdated = true
					if err := st.sendOutdated(ctx); err != nil {
						return err
					}
				}
				continue
			}
			inWindow = true
			if err := st.write(ctx, ev.Body); err != nil {
				return err
			}
		}
		if len(page) == st.s.opts.PageSize {
			continue // more to read
		}
		// The database is read to its end (as of this read): join the live
		// stream if the history covers the rest.
		ok, err := st.s.attach(sub, cur)
		if ok || err != nil {
			return err
		}
		if len(page) == 0 {
			// Retention deleted what the history no longer holds: those
			// events are gone, go on from the history.
			cur = max(cur, st.s.historyFloor())
		}
	}
}

// startPoint checks the cursor against the log: a cursor past the latest
// seq is an error; one whose next events were deleted by retention starts
// at the oldest event left and is reported outdated.
func (st *stream) startPoint(ctx context.Context, cursor int64) (int64, bool, error) {
	log := st.s.opts.Log
	latest, err := log.LatestSeq(ctx)
	if err != nil {
		return 0, false, &internalError{fmt.Errorf("firehose: latest seq: %w", err)}
	}
	if cursor > latest {
		return 0, false, &streamError{ErrNameFutureCursor, "Cursor in the future."}
	}
	oldest, err := log.OldestEvent(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return cursor, cursor < latest, nil
	case err != nil:
		return 0, false, &internalError{fmt.Errorf("firehose: oldest event: %w", err)}
	case cursor < oldest.Seq-1:
		return oldest.Seq - 1, true, nil
	}
	return cursor, false, nil
}

func (st *stream) sendOutdated(ctx context.Context) error {
	msg := "Requested cursor exceeded limit. Possibly missing events"
	frame, err := EncodeFrame(TypeInfo, &comatproto.SyncSubscribeRepos_Info{Name: InfoOutdatedCursor, Message: &msg})
	if err != nil {
		return err
	}
	return st.write(ctx, frame)
}

// live writes the queued frames until the client leaves or is dropped.
func (st *stream) live(ctx context.Context, sub *subscriber) error {
	ping := time.NewTicker(st.s.opts.PingInterval)
	defer ping.Stop()
	for {
		select {
		case ev := <-sub.ch:
			if err := st.write(ctx, ev.frame); err != nil {
				return err
			}
			ping.Reset(st.s.opts.PingInterval)
		case <-sub.gone:
			if sub.why == dropSlow {
				return &streamError{ErrNameConsumerTooSlow, "Stream consumer too slow"}
			}
			return ErrClosed
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, st.s.opts.WriteTimeout)
			err := st.conn.Ping(pctx)
			cancel()
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// write sends one frame, giving up after the write timeout.
func (st *stream) write(ctx context.Context, frame []byte) error {
	wctx, cancel := context.WithTimeout(ctx, st.s.opts.WriteTimeout)
	defer cancel()
	return st.conn.Write(wctx, websocket.MessageBinary, frame)
}

// finish closes the connection the way err calls for.
func (st *stream) finish(err error) {
	var (
		se *streamError
		ie *internalError
	)
	switch {
	case errors.As(err, &se):
		st.closeWithError(se.name, se.message, websocket.StatusPolicyViolation)
	case errors.Is(err, ErrClosed):
		_ = st.conn.Close(websocket.StatusGoingAway, "server shutting down")
	case errors.As(err, &ie):
		st.s.log.Error("subscribeRepos stream failed", "err", err)
		st.closeWithError(ErrNameInternal, "Internal Server Error", websocket.StatusInternalError)
	default: // the client left, or could not be written to in time
		st.s.log.Debug("subscribeRepos stream ended", "err", err)
		_ = st.conn.CloseNow()
	}
}

func (st *stream) closeWithError(name, message string, code websocket.StatusCode) {
	if frame, err := EncodeErrorFrame(name, message); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), st.s.opts.WriteTimeout)
		err = st.conn.Write(ctx, websocket.MessageBinary, frame)
		cancel()
		if err != nil {
			_ = st.conn.CloseNow()
			return
		}
	}
	_ = st.conn.Close(code, name)
}

// historyFloor returns the seq below which the history holds nothing.
func (s *Sequencer) historyFloor() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.floor
}

func writeJSONError(w http.ResponseWriter, status int, name, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": name, "message": message})
}
