package firehose

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// ErrClosed is returned when the sequencer was closed.
var ErrClosed = errors.New("firehose: sequencer closed")

// EventLog is the part of the store the firehose reads: the event log that
// commits and account changes append to, each event with its complete
// frame.
type EventLog interface {
	// ListEvents returns up to limit events with seq > after, by seq.
	ListEvents(ctx context.Context, after int64, limit int) ([]store.StoredEvent, error)
	// LatestSeq returns the highest assigned seq (0 when none).
	LatestSeq(ctx context.Context) (int64, error)
	// OldestEvent returns the oldest stored event, or store.ErrNotFound.
	OldestEvent(ctx context.Context) (store.StoredEvent, error)
	// DeleteEventsBefore removes events older than t.
	DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error)
}

var _ EventLog = (store.Events)(nil)

// Notifier is told that new events may be in the log. The repository engine
// and the account service call it after a transaction that appended events
// commits, so subscribers get them without waiting for the next poll.
type Notifier interface {
	Notify()
}

var _ Notifier = (*Sequencer)(nil)

// Options configure a Sequencer. Zero values take the defaults.
type Options struct {
	// Log is the event log to tail (required).
	Log EventLog
	// Logger receives the sequencer's own problems (default slog.Default).
	Logger *slog.Logger
	// PollInterval is how often the log is read when no Notify arrives
	// (default 100 ms). Polling is what delivers events written by other
	// Hearth instances sharing a PostgreSQL database.
	PollInterval time.Duration
	// Retention is how long events are kept for replay (default 72 h).
	Retention time.Duration
	// PruneInterval is how often events older than Retention are deleted
	// (default Retention/24, between one minute and one hour).
	PruneInterval time.Duration
	// BufferSize bounds the frames queued for one live subscriber; a
	// subscriber that falls further behind is dropped (default 1000).
	BufferSize int
	// PageSize is how many events one database read returns (default 500).
	PageSize int
	// WriteTimeout bounds writing one frame to a subscriber (default 30 s).
	WriteTimeout time.Duration
	// PingInterval is how often an idle subscriber is pinged (default 30 s).
	PingInterval time.Duration
	// OnEvents, when set, is called after new events were broadcast (the
	// requestCrawl client's Notify). It must not block.
	OnEvents func()
	// OnStored, when set, sees each page of events after it was broadcast
	// (the plugin host's firehose.on_commit). It must not block.
	OnStored func([]store.StoredEvent)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	setDefault(&o.PollInterval, 100*time.Millisecond)
	setDefault(&o.Retention, 72*time.Hour)
	setDefault(&o.PruneInterval, min(max(o.Retention/24, time.Minute), time.Hour))
	setDefault(&o.BufferSize, 1000)
	setDefault(&o.PageSize, 500)
	setDefault(&o.WriteTimeout, 30*time.Second)
	setDefault(&o.PingInterval, 30*time.Second)
	if o.Now == nil {
		o.Now = time.Now
	}
}

func setDefault[T time.Duration | int](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Sequencer tails the event log and broadcasts each new event to the live
// subscribers of subscribeRepos. One runs per process; several processes on
// one database each run their own, and each sees every event because the
// database, not the process, assigns the order.
type Sequencer struct {
	opts Options
	log  *slog.Logger
	wake chan struct{}
	done chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	started bool
	closed  bool
	pos     int64 // the highest seq broadcast
	hist    *history
	floor   int64 // every event with floor < seq <= pos is in hist
	subs    map[*subscriber]struct{}
}

// NewSequencer returns a sequencer; Start begins tailing.
func NewSequencer(opts Options) *Sequencer {
	opts.setDefaults()
	return &Sequencer{
		opts: opts,
		log:  opts.Logger.With("component", "firehose"),
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
		// Half the subscriber buffer: a subscriber joining from the history
		// always has room for what it takes from it.
		hist: newHistory(max(opts.BufferSize/2, 1)),
		subs: map[*subscriber]struct{}{},
	}
}

// Start deletes the events past retention, reads the log's position and
// starts the tail and retention loops. Live subscribers get the events
// appended after this point.
func (s *Sequencer) Start(ctx context.Context) error {
	s.prune(ctx)
	latest, err := s.opts.Log.LatestSeq(ctx)
	if err != nil {
		return fmt.Errorf("firehose: start: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		return errors.New("firehose: sequencer already started")
	}
	s.started = true
	s.pos, s.floor = latest, latest
	s.wg.Add(2)
	go s.tail()
	go s.pruneLoop()
	return nil
}

// Notify wakes the tail loop to read new events now. It never blocks.
func (s *Sequencer) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Deliver hands the sequencer events that this process has just committed,
// with their frames, so that it need not read them back from the log. They
// are broadcast at once when they follow the sequencer's position without a
// gap, in seq order; otherwise (an event of another transaction or another
// instance is missing in between) Deliver wakes the tail loop as Notify
// does, and the log is read. It never blocks on a subscriber.
func (s *Sequencer) Deliver(events []store.StoredEvent) {
	s.mu.Lock()
	ok := s.started && !s.closed && len(events) > 0 && events[0].Seq == s.pos+1
	for i := 1; ok && i < len(events); i++ {
		ok = events[i].Seq == events[i-1].Seq+1
	}
	if ok {
		s.broadcastLocked(events)
	}
	s.mu.Unlock()
	if !ok {
		s.Notify()
		return
	}
	if s.opts.OnEvents != nil {
		s.opts.OnEvents()
	}
	if s.opts.OnStored != nil {
		s.opts.OnStored(events)
	}
}

// Close stops the loops and disconnects every subscriber.
func (s *Sequencer) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	for sub := range s.subs {
		s.dropLocked(sub, dropClosed)
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Position returns the highest seq broadcast so far.
func (s *Sequencer) Position() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos
}

// Subscribers returns the number of live subscribers.
func (s *Sequencer) Subscribers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs)
}

// tail reads new events whenever woken or polled, until Close.
func (s *Sequencer) tail() {
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.done
		cancel()
	}()
	tick := time.NewTicker(s.opts.PollInterval)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-s.done:
			return
		case <-s.wake:
		case <-tick.C:
		}
		err := s.catchUp(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			s.log.Error("reading the event log failed; retrying", "err", err)
			failing = true
		case err == nil && failing:
			s.log.Info("reading the event log works again")
			failing = false
		}
	}
}

// catchUp broadcasts every event after the current position.
func (s *Sequencer) catchUp(ctx context.Context) error {
	for {
		stored, err := s.opts.Log.ListEvents(ctx, s.Position(), s.opts.PageSize)
		if err != nil {
			return err
		}
		if len(stored) > 0 {
			s.broadcast(stored)
			if s.opts.OnEvents != nil {
				s.opts.OnEvents()
			}
			if s.opts.OnStored != nil {
				s.opts.OnStored(stored)
			}
		}
		if len(stored) < s.opts.PageSize {
			return nil
		}
	}
}

// broadcast appends events to the history and offers them to every live
// subscriber, dropping those whose buffer is full. It never blocks.
func (s *Sequencer) broadcast(stored []store.StoredEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broadcastLocked(stored)
}

// broadcastLocked is broadcast with s.mu held.
func (s *Sequencer) broadcastLocked(stored []store.StoredEvent) {
	for _, se := range stored {
		if se.Seq <= s.pos {
			continue
		}
		ev := event{seq: se.Seq, time: se.Time, frame: se.Body}
		s.pos = ev.seq
		if old, evicted := s.hist.push(ev); evicted {
			s.floor = old.seq
		}
		for sub := range s.subs {
			if !sub.offer(ev) {
				s.dropLocked(sub, dropSlow)
			}
		}
	}
}

// attach makes sub live if the history holds every event after cursor:
// it queues those events and registers sub, atomically with respect to
// broadcasts, so sub sees each later event exactly once. It returns false
// when the caller must first read further from the database.
func (s *Sequencer) attach(sub *subscriber, cursor int64) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, ErrClosed
	}
	if cursor < s.floor {
		return false, nil
	}
	sub.last = cursor
	for _, ev := range s.hist.after(cursor) {
		sub.offer(ev) // fits: the history is at most half a buffer
	}
	s.subs[sub] = struct{}{}
	return true, nil
}

// attachLive makes sub live from the current position (no cursor).
func (s *Sequencer) attachLive(sub *subscriber) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	sub.last = s.pos
	s.subs[sub] = struct{}{}
	return nil
}

// detach removes sub (when its connection ends).
func (s *Sequencer) detach(sub *subscriber) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.subs, sub)
}

func (s *Sequencer) dropLocked(sub *subscriber, why dropReason) {
	delete(s.subs, sub)
	sub.drop(why)
}
