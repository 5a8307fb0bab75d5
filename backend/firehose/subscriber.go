package firehose

// dropReason says why a live subscriber was cut off.
type dropReason int

const (
	dropSlow   dropReason = iota + 1 // its buffer filled up
	dropClosed                       // the sequencer closed
)

// subscriber is one live subscription as the sequencer sees it: a bounded
// queue of frames and the seq of the last event queued. The sequencer
// offers events without ever waiting; a full queue gets the subscriber
// dropped.
type subscriber struct {
	ch   chan event
	gone chan struct{} // closed when dropped
	why  dropReason    // set before gone is closed

	last int64 // seq of the last event queued; guarded by Sequencer.mu
}

func newSubscriber(size int) *subscriber {
	return &subscriber{ch: make(chan event, size), gone: make(chan struct{})}
}

// offer queues ev unless the subscriber already has it. It reports false
// when the queue is full. The caller holds Sequencer.mu.
func (sub *subscriber) offer(ev event) bool {
	if ev.seq <= sub.last {
		return true
	}
	select {
	case sub.ch <- ev:
		sub.last = ev.seq
		return true
	default:
		return false
	}
}

// drop cuts the subscriber off (once). The caller holds Sequencer.mu.
func (sub *subscriber) drop(why dropReason) {
	if sub.why != 0 {
		return
	}
	sub.why = why
	close(sub.gone)
}
