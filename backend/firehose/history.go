package firehose

import "time"

// event is one event of the log as the firehose keeps it in memory: its
// sequence number, its time and its complete encoded frame (shared, never
// modified).
type event struct {
	seq   int64
	time  time.Time
	frame []byte
}

// history is a fixed-size ring of the most recent events, oldest first. It
// lets a subscriber that replayed from the database join the live stream
// without a gap: whatever the sequencer broadcast since the subscriber's
// last database read is still here.
type history struct {
	buf   []event
	start int // index of the oldest event
	n     int
}

func newHistory(size int) *history {
	return &history{buf: make([]event, size)}
}

// push appends ev and returns the event it evicted, if any.
func (h *history) push(ev event) (evicted event, ok bool) {
	if len(h.buf) == 0 {
		return ev, true
	}
	if h.n < len(h.buf) {
		h.buf[(h.start+h.n)%len(h.buf)] = ev
		h.n++
		return event{}, false
	}
	evicted = h.buf[h.start]
	h.buf[h.start] = ev
	h.start = (h.start + 1) % len(h.buf)
	return evicted, true
}

// after returns the events with seq > cursor, oldest first.
func (h *history) after(cursor int64) []event {
	var out []event
	for i := 0; i < h.n; i++ {
		ev := h.buf[(h.start+i)%len(h.buf)]
		if ev.seq > cursor {
			out = append(out, ev)
		}
	}
	return out
}
