package firehose

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/coder/websocket"
	cbg "github.com/whyrusleeping/cbor-gen"
)

// Message is one decoded frame of a subscribeRepos stream. Exactly one of
// the body fields is set, as Header.Type (or, for an error frame, Header.Op
// = -1) says.
type Message struct {
	Header Header
	// Seq is the event's sequence number (0 for #info and error frames).
	Seq int64
	// Frame is the frame as received.
	Frame []byte

	Commit   *Commit
	Identity *Identity
	Account  *Account
	Sync     *Sync
	Info     *Info
	Error    *ErrorBody
}

// ErrorBody is the body of an error frame.
type ErrorBody struct {
	Error   string
	Message string
}

// Subscription is a client of a subscribeRepos stream: Hearth's tests read
// their own firehose through it, and so can anything else that wants the
// frames decoded.
type Subscription struct {
	conn *websocket.Conn
}

// Subscribe connects to the subscribeRepos stream of the server at base
// (http:// or https://, or ws:// or wss://). A nil cursor follows the live
// stream only. hc may be nil for the default client.
func Subscribe(ctx context.Context, base string, cursor *int64, hc *http.Client) (*Subscription, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/") + "/xrpc/com.atproto.sync.subscribeRepos")
	if err != nil {
		return nil, fmt.Errorf("firehose: subscribe: %w", err)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	}
	if cursor != nil {
		u.RawQuery = "cursor=" + strconv.FormatInt(*cursor, 10)
	}
	return SubscribeURL(ctx, u.String(), hc)
}

// SubscribeURL connects to a full subscribeRepos URL, query included.
func SubscribeURL(ctx context.Context, rawURL string, hc *http.Client) (*Subscription, error) {
	conn, _, err := websocket.Dial(ctx, rawURL, &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		return nil, fmt.Errorf("firehose: subscribe %s: %w", rawURL, err)
	}
	conn.SetReadLimit(-1) // a #commit may carry up to 2 MB of blocks
	return &Subscription{conn: conn}, nil
}

// Next reads and decodes the next frame. After an error frame the server
// closes the stream: the following Next returns the close error (see
// websocket.CloseStatus).
func (s *Subscription) Next(ctx context.Context) (*Message, error) {
	_, frame, err := s.conn.Read(ctx)
	if err != nil {
		return nil, err
	}
	return DecodeMessage(frame)
}

// Close closes the connection without waiting for the server.
func (s *Subscription) Close() error { return s.conn.CloseNow() }

// DecodeMessage decodes a complete frame.
func DecodeMessage(frame []byte) (*Message, error) {
	h, body, err := DecodeFrame(frame)
	if err != nil {
		return nil, err
	}
	m := &Message{Header: h, Frame: frame}
	r := bytes.NewReader(body)
	if h.Op == -1 {
		m.Error, err = decodeErrorBody(body)
		return m, err
	}
	switch h.Type {
	case TypeCommit:
		m.Commit = new(Commit)
		err = m.Commit.UnmarshalCBOR(r)
		if err == nil {
			m.Seq = m.Commit.Seq
		}
	case TypeIdentity:
		m.Identity = new(Identity)
		err = m.Identity.UnmarshalCBOR(r)
		if err == nil {
			m.Seq = m.Identity.Seq
		}
	case TypeAccount:
		m.Account = new(Account)
		err = m.Account.UnmarshalCBOR(r)
		if err == nil {
			m.Seq = m.Account.Seq
		}
	case TypeSync:
		m.Sync = new(Sync)
		err = m.Sync.UnmarshalCBOR(r)
		if err == nil {
			m.Seq = m.Sync.Seq
		}
	case TypeInfo:
		m.Info = new(Info)
		err = m.Info.UnmarshalCBOR(r)
	default:
		return nil, fmt.Errorf("firehose: unknown frame type %q", h.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("firehose: decode %s: %w", h.Type, err)
	}
	return m, nil
}

// decodeErrorBody reads {error, message}.
func decodeErrorBody(body []byte) (*ErrorBody, error) {
	cr := cbg.NewCborReader(bytes.NewReader(body))
	maj, n, err := cr.ReadHeader()
	if err != nil || maj != cbg.MajMap {
		return nil, fmt.Errorf("firehose: error frame body is not a map")
	}
	var e ErrorBody
	for i := uint64(0); i < n; i++ {
		key, err := cbg.ReadString(cr)
		if err != nil {
			return nil, fmt.Errorf("firehose: error frame key: %w", err)
		}
		val, err := cbg.ReadString(cr)
		if err != nil {
			return nil, fmt.Errorf("firehose: error frame %s: %w", key, err)
		}
		switch key {
		case "error":
			e.Error = val
		case "message":
			e.Message = val
		}
	}
	return &e, nil
}
