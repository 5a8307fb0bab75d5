package proxy

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Timeouts of the client NewClient builds. There is no overall timeout: a
// response streams for as long as the service sends it, and ends when the
// caller goes away.
const (
	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 30 * time.Second
	idleConnTimeout       = 90 * time.Second
)

// ErrForbiddenAddress is returned when a connection to a loopback, private,
// link-local or otherwise non-public address is refused.
var ErrForbiddenAddress = errors.New("proxy: refusing to connect to a non-public address")

// NewClient returns the HTTP client for forwarded calls. Unless
// allowPrivate is set, it refuses to connect to non-public addresses; the
// check runs on the address actually dialled, after DNS resolution. It
// follows no redirects and uses no environment proxy.
func NewClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = refusePrivate
	}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   20,
			IdleConnTimeout:       idleConnTimeout,
			TLSHandshakeTimeout:   tlsHandshakeTimeout,
			ResponseHeaderTimeout: responseHeaderTimeout,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// refusePrivate is a net.Dialer Control function that refuses non-public
// addresses.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	if !PublicAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	return nil
}

// sharedSpace is 100.64.0.0/10 (carrier-grade NAT).
var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// PublicAddr reports whether a is a globally routable unicast address: not
// loopback, private, link-local, multicast, unspecified or CGNAT space.
func PublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	switch {
	case !a.IsValid(), a.IsUnspecified(), a.IsLoopback(), a.IsPrivate(),
		a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast(),
		a.IsMulticast(), sharedSpace.Contains(a):
		return false
	}
	return true
}
