package app

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
)

// logRing keeps the last lines of the server's log for the logs view.
type logRing struct {
	mu    sync.Mutex
	lines []LogLine
	next  int
	full  bool
}

func newLogRing(n int) *logRing { return &logRing{lines: make([]LogLine, n)} }

func (r *logRing) add(l LogLine) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines[r.next] = l
	r.next = (r.next + 1) % len(r.lines)
	if r.next == 0 {
		r.full = true
	}
}

// last returns up to n lines, oldest first.
func (r *logRing) last(n int) []LogLine {
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []LogLine
	if r.full {
		all = append(all, r.lines[r.next:]...)
	}
	all = append(all, r.lines[:r.next]...)
	if n > 0 && len(all) > n {
		all = all[len(all)-n:]
	}
	return all
}

// handler returns a slog handler that feeds the ring (and next, if set).
func (r *logRing) handler(next *slog.Logger) slog.Handler {
	h := &ringHandler{ring: r}
	if next != nil {
		h.next = next.Handler()
	}
	return h
}

// ringHandler formats records as "message key=value ..." with secrets
// redacted, into the ring.
type ringHandler struct {
	ring  *logRing
	next  slog.Handler
	attrs []slog.Attr
	group string
}

func (h *ringHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || (h.next != nil && h.next.Enabled(ctx, l))
}

func (h *ringHandler) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level >= slog.LevelInfo {
		var b bytes.Buffer
		b.WriteString(rec.Message)
		write := func(a slog.Attr) bool {
			key := a.Key
			if h.group != "" {
				key = h.group + "." + key
			}
			b.WriteString(" " + key + "=" + a.Value.String())
			return true
		}
		for _, a := range h.attrs {
			write(a)
		}
		rec.Attrs(write)
		h.ring.add(LogLine{Time: rec.Time, Level: rec.Level.String(), Message: redact(b.String())})
	}
	if h.next != nil && h.next.Enabled(ctx, rec.Level) {
		return h.next.Handle(ctx, rec)
	}
	return nil
}

func (h *ringHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr{}, h.attrs...), attrs...)
	if h.next != nil {
		c.next = h.next.WithAttrs(attrs)
	}
	return &c
}

func (h *ringHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.group = strings.TrimPrefix(h.group+"."+name, ".")
	if h.next != nil {
		c.next = h.next.WithGroup(name)
	}
	return &c
}

// secretPatterns match what must never reach the logs view even if a
// message carried it: JWTs, bearer and basic credentials, password or key
// assignments.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`),
	regexp.MustCompile(`(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}`),
	regexp.MustCompile(`(?i)((?:password|passphrase|secret|token|key)[a-z_]*=)("[^"]*"|\S+)`),
	regexp.MustCompile(`(://[^:/@\s]+:)[^@\s]+@`),
}

// redact hides secrets in a log line.
func redact(s string) string {
	for i, re := range secretPatterns {
		switch i {
		case 2:
			s = re.ReplaceAllString(s, "${1}[redacted]")
		case 3:
			s = re.ReplaceAllString(s, "${1}[redacted]@")
		default:
			s = re.ReplaceAllString(s, "[redacted]")
		}
	}
	return s
}

// Logs returns the last limit lines of the log (all kept when limit <= 0),
// oldest first, with secrets redacted.
func (a *App) Logs(limit int) []LogLine {
	lines := a.logs.last(limit)
	if lines == nil {
		lines = []LogLine{}
	}
	return lines
}
