package blobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// Defaults of Config.
const (
	DefaultGrace      = time.Hour
	DefaultSweepEvery = 24 * time.Hour
)

// Config configures a Service. Meta and Bytes are required.
type Config struct {
	// Meta stores blob metadata. If it also implements store.Moderation,
	// taken-down blobs are neither served nor accepted again.
	Meta store.Blobs
	// Bytes stores the blob bytes.
	Bytes BlobStore
	// Grace is how long an uploaded blob may stay unreferenced before the
	// collector deletes it (DefaultGrace).
	Grace time.Duration
	// Interval is how often Run collects (a quarter of Grace, between 50 ms
	// and 5 minutes).
	Interval time.Duration
	// SweepEvery is how often Run sweeps the whole blob store for bytes no
	// metadata names any more (DefaultSweepEvery). The first sweep runs on
	// Run's first tick.
	SweepEvery time.Duration
	// Now is the clock (time.Now); tests swap it.
	Now func() time.Time
	// Logger receives the collector's reports (discarded when nil).
	Logger *slog.Logger
	// Hooks see each upload (nil: none).
	Hooks Hooks
}

// Service uploads, serves and garbage-collects blobs. It is safe for
// concurrent use.
type Service struct {
	meta  store.Blobs
	mod   store.Moderation // nil when Meta has no moderation
	hooks Hooks
	bytes BlobStore
	grace time.Duration
	every time.Duration
	sweep time.Duration
	now   func() time.Time
	log   *slog.Logger
	locks cidLocks
}

// New checks cfg and returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Meta == nil || cfg.Bytes == nil {
		return nil, errors.New("blobs: Config.Meta and Config.Bytes are required")
	}
	if cfg.Grace < 0 || cfg.Interval < 0 || cfg.SweepEvery < 0 {
		return nil, errors.New("blobs: negative duration in Config")
	}
	s := &Service{
		meta: cfg.Meta, bytes: cfg.Bytes, now: cfg.Now, log: cfg.Logger,
		grace: orDefault(cfg.Grace, DefaultGrace), sweep: orDefault(cfg.SweepEvery, DefaultSweepEvery),
	}
	s.mod, _ = cfg.Meta.(store.Moderation)
	s.hooks = cfg.Hooks
	s.every = orDefault(cfg.Interval, min(max(s.grace/4, 50*time.Millisecond), 5*time.Minute))
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Open returns the metadata and bytes of an account's blob. It returns
// ErrNotFound when the account has no such blob or its bytes are missing,
// and ErrTakenDown when the blob was taken down. The caller closes the
// File.
func (s *Service) Open(ctx context.Context, did string, c cid.Cid) (store.Blob, File, error) {
	b, err := s.meta.GetBlob(ctx, did, c)
	if errors.Is(err, store.ErrNotFound) {
		return b, nil, fmt.Errorf("blobs: %s of %s: %w", c, did, ErrNotFound)
	}
	if err != nil {
		return b, nil, err
	}
	if err := s.checkTakedown(ctx, did, c); err != nil {
		return b, nil, err
	}
	f, err := s.bytes.Open(ctx, c)
	if errors.Is(err, ErrNotFound) {
		s.log.Warn("blob metadata without bytes", "did", did, "cid", c.String())
	}
	return b, f, err
}

// checkTakedown returns ErrTakenDown if the operator took the blob down.
func (s *Service) checkTakedown(ctx context.Context, did string, c cid.Cid) error {
	if s.mod == nil {
		return nil
	}
	ref, err := s.mod.GetTakedown(ctx, store.Subject{DID: did, Blob: &c})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blobs: takedown of %s: %w", c, err)
	}
	if ref != "" {
		return fmt.Errorf("blobs: %s of %s: %w", c, did, ErrTakenDown)
	}
	return nil
}
