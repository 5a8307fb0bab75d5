package plugin

import (
	"strings"
	"sync"
)

// stderrTailSize bounds what a machine keeps of its guest's stderr.
const stderrTailSize = 1024

// stderrTail logs a guest's stderr and keeps its last bytes, so a failed
// call can say what the guest printed before it failed (a Go guest's
// panic message, a Rust guest's abort): a bare "wasm error: unreachable"
// tells the operator nothing.
type stderrTail struct {
	logWriter
	mu   sync.Mutex
	tail []byte
}

func (w *stderrTail) Write(b []byte) (int, error) {
	w.logWriter.Write(b)
	w.mu.Lock()
	w.tail = append(w.tail, b...)
	if over := len(w.tail) - stderrTailSize; over > 0 {
		w.tail = append(w.tail[:0], w.tail[over:]...)
	}
	w.mu.Unlock()
	return len(b), nil
}

// reset forgets what was written so far (at the start of a call).
func (w *stderrTail) reset() {
	w.mu.Lock()
	w.tail = w.tail[:0]
	w.mu.Unlock()
}

// take returns the first lines written since the last reset (a panic's
// message comes first, its goroutine dump after), at most 300 bytes, and
// forgets them.
func (w *stderrTail) take() string {
	w.mu.Lock()
	s := strings.TrimSpace(string(w.tail))
	w.tail = w.tail[:0]
	w.mu.Unlock()
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
		if len(lines) == 3 {
			break
		}
	}
	out := strings.Join(lines, " | ")
	if len(out) > 300 {
		out = out[:300] + "…"
	}
	return out
}
