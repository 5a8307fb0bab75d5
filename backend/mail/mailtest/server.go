package mailtest

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"
)

// TLSMode says how the server secures connections.
type TLSMode int

// TLS modes.
const (
	// Plain offers no TLS at all.
	Plain TLSMode = iota
	// StartTLS offers the STARTTLS upgrade (smtp://, port 587 style).
	StartTLS
	// ImplicitTLS speaks TLS from the first byte (smtps://, port 465 style).
	ImplicitTLS
)

// Options configure a Server.
type Options struct {
	TLS TLSMode
	// Username and Password, when set, make AUTH PLAIN with these
	// credentials required before MAIL.
	Username, Password string
}

// Server is a running test SMTP server.
type Server struct {
	ln    net.Listener
	opts  Options
	tls   *tls.Config
	roots *x509.CertPool
	msgs  chan Message
	wg    sync.WaitGroup

	mu    sync.Mutex
	all   []Message
	conns map[net.Conn]struct{}
}

// Start runs a server on 127.0.0.1 until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	cert, roots, err := selfSigned()
	if err != nil {
		t.Fatalf("mailtest: certificate: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s := &Server{
		ln: ln, opts: opts, roots: roots, msgs: make(chan Message, 100), conns: map[net.Conn]struct{}{},
		tls: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// URL is the server's address as a HEARTH_SMTP_URL: smtp:// or smtps://
// (ImplicitTLS), with the credentials when set.
func (s *Server) URL() *url.URL {
	u := &url.URL{Scheme: "smtp", Host: s.ln.Addr().String()}
	if s.opts.TLS == ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	return u
}

// RootCAs holds the server's self-signed certificate, for clients to trust.
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// Messages returns every message received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.all...)
}

// Next waits for the next message not yet returned by Next, failing the
// test after 10 seconds.
func (s *Server) Next(t testing.TB) Message {
	t.Helper()
	select {
	case m := <-s.msgs:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("mailtest: no message arrived")
		return Message{}
	}
}

// Close stops the server and waits for its connections to end.
func (s *Server) Close() {
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	if s.opts.TLS == ImplicitTLS {
		c = tls.Server(c, s.tls)
	}
	sess := &session{srv: s, conn: c, tls: s.opts.TLS == ImplicitTLS}
	sess.reset(c)
	sess.reply(220, "mailtest ESMTP ready")
	for {
		line, err := sess.text.ReadLine()
		if err != nil {
			return
		}
		if quit := sess.command(line); quit {
			return
		}
	}
}

func (s *Server) deliver(m Message) {
	s.mu.Lock()
	s.all = append(s.all, m)
	s.mu.Unlock()
	select {
	case s.msgs <- m:
	default:
	}
}
