package relaytest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// Record is a log record the relay wrote at warning level or above.
type Record struct {
	Level   slog.Level
	Message string
	Attrs   string // "key=value ..." of the record and its logger
}

// String renders the record on one line.
func (r Record) String() string { return fmt.Sprintf("%s %s %s", r.Level, r.Message, r.Attrs) }

// capture is a slog.Handler that keeps warnings and errors and passes
// every record on to next.
type capture struct {
	next  slog.Handler
	attrs string
	log   *recordLog
}

type recordLog struct {
	mu      sync.Mutex
	records []Record
}

func (c *capture) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn || c.next.Enabled(ctx, l)
}

func (c *capture) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		var b strings.Builder
		b.WriteString(c.attrs)
		r.Attrs(func(a slog.Attr) bool {
			fmt.Fprintf(&b, " %s", a)
			return true
		})
		c.log.mu.Lock()
		c.log.records = append(c.log.records, Record{Level: r.Level, Message: r.Message, Attrs: strings.TrimSpace(b.String())})
		c.log.mu.Unlock()
	}
	if c.next.Enabled(ctx, r.Level) {
		return c.next.Handle(ctx, r)
	}
	return nil
}

func (c *capture) WithAttrs(as []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(c.attrs)
	for _, a := range as {
		fmt.Fprintf(&b, " %s", a)
	}
	return &capture{next: c.next.WithAttrs(as), attrs: b.String(), log: c.log}
}

func (c *capture) WithGroup(name string) slog.Handler {
	return &capture{next: c.next.WithGroup(name), attrs: c.attrs, log: c.log}
}

func (l *recordLog) snapshot() []Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Record(nil), l.records...)
}
