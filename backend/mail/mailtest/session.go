package mailtest

import (
	"bytes"
	"crypto/subtle"
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"net/textproto"
	"strings"
)

// session is one client connection's protocol state.
type session struct {
	srv    *Server
	conn   net.Conn
	text   *textproto.Conn
	tls    bool
	helo   bool
	authed bool
	from   string
	to     []string
}

func (s *session) reset(c net.Conn) {
	s.conn, s.text = c, textproto.NewConn(c)
	s.helo, s.from, s.to = false, "", nil
}

func (s *session) reply(code int, lines ...string) {
	for i, l := range lines {
		sep := " "
		if i < len(lines)-1 {
			sep = "-"
		}
		_ = s.text.PrintfLine("%d%s%s", code, sep, l)
	}
}

// command handles one command line; it reports whether the session ends.
func (s *session) command(line string) (quit bool) {
	verb, arg, _ := strings.Cut(line, " ")
	switch strings.ToUpper(verb) {
	case "EHLO", "HELO":
		s.hello()
	case "STARTTLS":
		return s.startTLS()
	case "AUTH":
		s.auth(arg)
	case "MAIL":
		s.mail(arg)
	case "RCPT":
		s.rcpt(arg)
	case "DATA":
		return s.data()
	case "RSET":
		s.from, s.to = "", nil
		s.reply(250, "OK")
	case "NOOP":
		s.reply(250, "OK")
	case "QUIT":
		s.reply(221, "bye")
		return true
	default:
		s.reply(502, "command not implemented")
	}
	return false
}

func (s *session) hello() {
	s.helo, s.from, s.to = true, "", nil
	lines := []string{"mailtest", "8BITMIME"}
	if s.srv.opts.TLS == StartTLS && !s.tls {
		lines = append(lines, "STARTTLS")
	}
	if s.srv.opts.Username != "" {
		lines = append(lines, "AUTH PLAIN")
	}
	s.reply(250, lines...)
}

func (s *session) startTLS() (quit bool) {
	if s.srv.opts.TLS != StartTLS || s.tls {
		s.reply(502, "STARTTLS not available")
		return false
	}
	s.reply(220, "go ahead")
	tc := tls.Server(s.conn, s.srv.tls)
	if err := tc.Handshake(); err != nil {
		return true
	}
	s.tls = true
	s.reset(tc)
	return false
}

func (s *session) auth(arg string) {
	mech, initial, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") || s.srv.opts.Username == "" {
		s.reply(504, "mechanism not supported")
		return
	}
	if initial == "" {
		s.reply(334, "")
		line, err := s.text.ReadLine()
		if err != nil {
			return
		}
		initial = line
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	parts := bytes.Split(raw, []byte{0})
	if err != nil || len(parts) != 3 {
		s.reply(501, "malformed AUTH PLAIN response")
		return
	}
	userOK := subtle.ConstantTimeCompare(parts[1], []byte(s.srv.opts.Username)) == 1
	passOK := subtle.ConstantTimeCompare(parts[2], []byte(s.srv.opts.Password)) == 1
	if !userOK || !passOK {
		s.reply(535, "authentication failed")
		return
	}
	s.authed = true
	s.reply(235, "authenticated")
}

func (s *session) mail(arg string) {
	switch {
	case !s.helo:
		s.reply(503, "say EHLO first")
	case s.srv.opts.Username != "" && !s.authed:
		s.reply(530, "authentication required")
	default:
		s.from, s.to = angle(arg, "FROM:"), nil
		s.reply(250, "OK")
	}
}

func (s *session) rcpt(arg string) {
	if s.from == "" {
		s.reply(503, "MAIL first")
		return
	}
	s.to = append(s.to, angle(arg, "TO:"))
	s.reply(250, "OK")
}

func (s *session) data() (quit bool) {
	if s.from == "" || len(s.to) == 0 {
		s.reply(503, "MAIL and RCPT first")
		return false
	}
	s.reply(354, "end with <CRLF>.<CRLF>")
	raw, err := io.ReadAll(s.text.DotReader())
	if err != nil {
		return true
	}
	s.srv.deliver(newMessage(s.from, s.to, raw, s.tls))
	s.from, s.to = "", nil
	s.reply(250, "queued")
	return false
}

// angle extracts the address of "FROM:<a@b> PARAMS".
func angle(arg, prefix string) string {
	arg = strings.TrimSpace(arg)
	if len(arg) >= len(prefix) && strings.EqualFold(arg[:len(prefix)], prefix) {
		arg = strings.TrimSpace(arg[len(prefix):])
	}
	if i, j := strings.IndexByte(arg, '<'), strings.IndexByte(arg, '>'); i >= 0 && j > i {
		return arg[i+1 : j]
	}
	addr, _, _ := strings.Cut(arg, " ")
	return addr
}
