package xrpc_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/hearthpds/hearth/backend/firehose"
)

// TestBadInputSubscribeRepos covers com.atproto.sync.subscribeRepos: plain
// HTTP requests get an XRPC error; over a websocket, bad parameters get an
// error frame and a close (1008), as the reference PDS answers them.
func TestBadInputSubscribeRepos(t *testing.T) {
	s := newSession(t)
	const nsid = "com.atproto.sync.subscribeRepos"
	runBadCases(t, s, []badCase{
		{name: "not a websocket", method: "GET", nsid: nsid, status: 400, errName: "InvalidRequest"},
		{name: "not a websocket, with cursor", method: "GET", nsid: nsid, query: "cursor=abc", status: 400, errName: "InvalidRequest"},
		{name: "POST", method: "POST", nsid: nsid, body: "{}", status: 405, errName: "InvalidRequest"},
	})
	for _, c := range []struct{ name, cursor, errName string }{
		{"cursor not an integer", "abc", firehose.ErrNameInvalidRequest},
		{"cursor a float", "1.5", firehose.ErrNameInvalidRequest},
		{"cursor empty", "", firehose.ErrNameInvalidRequest},
		{"cursor overflows", "99999999999999999999", firehose.ErrNameInvalidRequest},
		{"cursor with junk", "1;DROP TABLE events", firehose.ErrNameInvalidRequest},
		{"cursor in the future", "1000000", firehose.ErrNameFutureCursor},
	} {
		t.Run(c.name, func(t *testing.T) {
			sub := dialStream(t, s.pds.URL, url.Values{"cursor": {c.cursor}})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			m, err := sub.Next(ctx)
			if err != nil {
				t.Fatalf("no error frame: %v", err)
			}
			if m.Error == nil || m.Error.Error != c.errName || m.Error.Message == "" {
				t.Fatalf("frame = %+v (error %+v), want error %s", m.Header, m.Error, c.errName)
			}
			if _, err := sub.Next(ctx); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
				t.Fatalf("after the error frame: %v, want a 1008 close", err)
			}
		})
	}
	t.Run("negative cursor replays from the start", func(t *testing.T) {
		sub := dialStream(t, s.pds.URL, url.Values{"cursor": {"-5"}})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m, err := sub.Next(ctx)
		if err != nil || m.Seq != 1 {
			t.Fatalf("first frame = %+v, %v; want the event with seq 1", m, err)
		}
	})
}

func dialStream(t *testing.T, base string, q url.Values) *firehose.Subscription {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := strings.Replace(base, "http://", "ws://", 1) + "/xrpc/com.atproto.sync.subscribeRepos?" + q.Encode()
	sub, err := firehose.SubscribeURL(ctx, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}
