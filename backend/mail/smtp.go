package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Default ports of the two URL schemes.
const (
	SubmissionPort   = "587" // smtp://: submission, upgraded with STARTTLS
	ImplicitTLSPort  = "465" // smtps://: TLS from the first byte
	defaultTimeout   = 30 * time.Second
	defaultLocalName = "localhost"
)

// SMTP is a Mailer that hands each message to one mail server, over a new
// connection per message. It is safe for concurrent use.
type SMTP struct {
	addr      string // host:port
	host      string
	implicit  bool // smtps://: TLS from the start
	auth      smtp.Auth
	tls       *tls.Config
	localName string
	timeout   time.Duration
}

var _ Mailer = (*SMTP)(nil)

// SMTPOptions tune an SMTP mailer; the zero value suits production.
type SMTPOptions struct {
	// RootCAs verifies the server's certificate; nil means the system's.
	RootCAs *x509.CertPool
	// LocalName is the host name given in EHLO (default "localhost"); an
	// IP address is sent as an address literal.
	LocalName string
	// Timeout bounds one delivery, connection included (default 30s).
	Timeout time.Duration
}

// NewSMTP returns a mailer for the server at u: smtp://[user:pass@]host[:587]
// (STARTTLS when the server offers it) or smtps://[user:pass@]host[:465]
// (implicit TLS). A user in the URL turns on AUTH PLAIN, which is refused
// over a connection that is neither TLS nor to a loopback address. The only
// query parameter accepted is "from" (see [FromAddress]).
func NewSMTP(u *url.URL, opts SMTPOptions) (*SMTP, error) {
	if u == nil {
		return nil, errors.New("mail: no SMTP URL")
	}
	s := &SMTP{host: u.Hostname(), localName: opts.LocalName, timeout: opts.Timeout}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		port = or(port, SubmissionPort)
	case "smtps":
		port, s.implicit = or(port, ImplicitTLSPort), true
	default:
		return nil, fmt.Errorf("mail: %s: the scheme must be smtp or smtps", u.Redacted())
	}
	if s.host == "" {
		return nil, fmt.Errorf("mail: %s: no host", u.Redacted())
	}
	for k := range u.Query() {
		if k != "from" {
			return nil, fmt.Errorf("mail: %s: unknown parameter %q (only \"from\" is accepted)", u.Redacted(), k)
		}
	}
	s.addr = net.JoinHostPort(s.host, port)
	s.localName = ehloName(or(s.localName, defaultLocalName))
	if s.timeout <= 0 {
		s.timeout = defaultTimeout
	}
	s.tls = &tls.Config{ServerName: s.host, RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12}
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, s.host)
	}
	return s, nil
}

// FromAddress returns the sender address for mail relayed through the
// server at u: the URL's "from" parameter when set (it may carry a display
// name, e.g. from=Hearth%20%3Cnoreply%40example.com%3E), else the URL's user
// name when it is an email address, else noreply@host.
func FromAddress(u *url.URL, host string) (mail.Address, error) {
	if u != nil {
		if f := u.Query().Get("from"); f != "" {
			return ParseAddress(f)
		}
		if u.User != nil && validAddress(u.User.Username()) {
			return mail.Address{Address: u.User.Username()}, nil
		}
	}
	return ParseAddress("noreply@" + host)
}

// Send delivers m over a new connection.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	raw, err := m.encode(time.Now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	conn, err := s.dial(ctx)
	if err != nil {
		return fmt.Errorf("mail: connect to %s: %w", s.addr, err)
	}
	defer conn.Close()
	// Unblock any read or write when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := s.deliver(conn, m, raw); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return fmt.Errorf("mail: send to %s via %s: %w", m.To.Address, s.addr, err)
	}
	return nil
}

func (s *SMTP) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{}
	if s.implicit {
		return (&tls.Dialer{NetDialer: d, Config: s.tls}).DialContext(ctx, "tcp", s.addr)
	}
	return d.DialContext(ctx, "tcp", s.addr)
}

// deliver runs one SMTP session: EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA.
func (s *SMTP) deliver(conn net.Conn, m Message, raw []byte) error {
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(s.localName); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if err := s.secure(c); err != nil {
		return err
	}
	if err := s.authenticate(c); err != nil {
		return err
	}
	if err := c.Mail(m.From.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To.Address); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return c.Quit()
}

// secure upgrades a submission connection with STARTTLS when the server
// offers it.
func (s *SMTP) secure(c *smtp.Client) error {
	if s.implicit {
		return nil
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(s.tls); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
		return nil
	}
	if s.auth != nil && !isLoopback(s.host) {
		return errors.New("the server does not offer STARTTLS: refusing to send the password in clear (use smtps:// or a server with STARTTLS)")
	}
	return nil
}

func (s *SMTP) authenticate(c *smtp.Client) error {
	if s.auth == nil {
		return nil
	}
	if ok, mechs := c.Extension("AUTH"); !ok || !hasWord(mechs, "PLAIN") {
		return fmt.Errorf("the server does not offer AUTH PLAIN (it offers %q)", mechs)
	}
	if err := c.Auth(s.auth); err != nil {
		return fmt.Errorf("AUTH: %w", err)
	}
	return nil
}

func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, w) {
			return true
		}
	}
	return false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ehloName writes an IP address as the address literal EHLO expects.
func ehloName(name string) string {
	ip := net.ParseIP(name)
	switch {
	case ip == nil:
		return name
	case ip.To4() != nil:
		return "[" + ip.String() + "]"
	}
	return "[IPv6:" + ip.String() + "]"
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
