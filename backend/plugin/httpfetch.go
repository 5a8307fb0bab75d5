package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hearthpds/hearth/plugins/sdk/go/wire"

	"github.com/tetratelabs/wazero/api"
)

// FetchPolicy is the operator's side of http:fetch.
type FetchPolicy struct {
	// AllowPrivate lists address ranges a plugin may reach although they are
	// loopback, private or link-local (e.g. 127.0.0.1/32 for a local
	// receiver). Empty: none.
	AllowPrivate []netip.Prefix
	Timeout      time.Duration // per request, redirects included; default 10 s
	MaxBytes     int64         // response body cap; default 4 MiB
	MaxRedirects int           // default 5
}

// ErrFetchDenied marks a refused fetch (host not listed, private address).
var ErrFetchDenied = errors.New("fetch refused")

func (fp FetchPolicy) withDefaults() FetchPolicy {
	if fp.Timeout == 0 {
		fp.Timeout = 10 * time.Second
	}
	if fp.MaxBytes == 0 {
		fp.MaxBytes = 4 << 20
	}
	if fp.MaxRedirects == 0 {
		fp.MaxRedirects = 5
	}
	return fp
}

// addrAllowed refuses loopback, private, link-local, multicast and
// unspecified addresses unless the operator allowed their range.
func (fp FetchPolicy) addrAllowed(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range fp.AllowPrivate {
		if p.Contains(a) {
			return true
		}
	}
	return a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast()
}

// newTransport dials only allowed addresses: the check runs on the
// address actually connected to, after DNS, so rebinding cannot dodge it.
func (fp FetchPolicy) newTransport() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrFetchDenied, address)
		}
		if !fp.addrAllowed(ap.Addr()) {
			return fmt.Errorf("%w: %s is a loopback, private or link-local address", ErrFetchDenied, ap.Addr())
		}
		return nil
	}}
	return &http.Transport{DialContext: d.DialContext, ForceAttemptHTTP2: true, MaxIdleConns: 16,
		IdleConnTimeout: 30 * time.Second, TLSHandshakeTimeout: 5 * time.Second, Proxy: nil}
}

// hostMatch matches a host name against an allowlist entry ("a.b", "*.b",
// or AnyHost, which matches every host: in effective rights it is only
// ever there because the user granted it by name, see Intersect).
func hostMatch(pattern, host string) bool {
	if pattern == AnyHost {
		return true
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	pattern = strings.ToLower(pattern)
	if s, ok := strings.CutPrefix(pattern, "*."); ok {
		return strings.HasSuffix(host, "."+s)
	}
	return pattern == host
}

func checkURL(c Capability, method string, u string) error {
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		return fmt.Errorf("%w: bad url: %w", ErrFetchDenied, err)
	}
	return checkTarget(c, req)
}

func checkTarget(c Capability, req *http.Request) error {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: scheme %q", ErrFetchDenied, req.URL.Scheme)
	}
	host := req.URL.Hostname()
	for _, p := range c.Hosts {
		if hostMatch(p, host) {
			return nil
		}
	}
	return fmt.Errorf("%w: host %q is not in the plugin's http:fetch hosts", ErrFetchDenied, host)
}

// fetched is the answer to a plugin's request.
type fetched struct {
	status int
	header http.Header
	body   []byte
}

// maxFetchHeaders bounds the response header lines handed to a plugin.
const maxFetchHeaders = 64

// fetch makes one request on behalf of a plugin under capability c.
func (h *Host) fetch(ctx context.Context, c Capability, method, url string, headers []string, body []byte) (fetched, error) {
	if method == "" {
		method = http.MethodGet
	}
	if len(c.Methods) > 0 && !contains(c.Methods, method) {
		return fetched{}, fmt.Errorf("%w: method %s is not in the plugin's http:fetch methods", ErrFetchDenied, method)
	}
	if err := checkURL(c, method, url); err != nil {
		return fetched{}, err
	}
	fp := h.fetchPolicy
	ctx, cancel := context.WithTimeout(ctx, fp.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return fetched{}, err
	}
	for _, hv := range headers {
		k, v, ok := strings.Cut(hv, ":")
		if ok {
			req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	client := &http.Client{Transport: h.transport, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		if len(via) > fp.MaxRedirects {
			return fmt.Errorf("%w: more than %d redirects", ErrFetchDenied, fp.MaxRedirects)
		}
		return checkTarget(c, r)
	}}
	resp, err := client.Do(req)
	if err != nil {
		return fetched{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, fp.MaxBytes+1))
	if err != nil {
		return fetched{}, err
	}
	if int64(len(data)) > fp.MaxBytes {
		return fetched{}, fmt.Errorf("response larger than %d bytes", fp.MaxBytes)
	}
	return fetched{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func hostHTTPFetch(ctx context.Context, mc *machine, mem api.Memory, s []uint64) (uint32, []byte) {
	b, ok := readArg(mem, s[0], s[1])
	if !ok {
		return failed(errBadArgs)
	}
	c, _ := mc.p.grantedCap(CapHTTPFetch)
	m := Message(b)
	var headers []string
	_ = m.Each(func(tag byte, v []byte) error {
		if tag == wire.TagHeader {
			headers = append(headers, string(v))
		}
		return nil
	})
	body, _ := m.Get(wire.TagBody)
	res, err := mc.p.host.fetch(ctx, c, m.String(wire.TagMethod), m.String(wire.TagURL), headers, body)
	if err != nil {
		if errors.Is(err, ErrFetchDenied) {
			return statusDenied, []byte(err.Error())
		}
		return failed(err)
	}
	out := Message(nil).AddUint(wire.TagStatus, uint64(res.status))
	// Response headers as "Name: value" lines (an S3 part's ETag, a
	// Location), in name order, at most maxFetchHeaders.
	names := slices.Sorted(maps.Keys(res.header))
	n := 0
	for _, k := range names {
		for _, v := range res.header[k] {
			if n++; n > maxFetchHeaders {
				break
			}
			out = out.AddString(wire.TagHeader, k+": "+v)
		}
	}
	return statusOK, out.Add(wire.TagBody, res.body)
}
