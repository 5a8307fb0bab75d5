package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// checkFetchURL allows https URLs without a port, and (AllowHTTPClients)
// http URLs and ports on loopback and private hosts.
func (s *Server) checkFetchURL(u *url.URL) error {
	if u.Scheme == "https" && u.Port() == "" {
		return nil
	}
	if s.cfg.AllowHTTPClients && (u.Scheme == "https" || u.Scheme == "http") && localHost(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("%s: must be https without a port", u.Redacted())
}

// localHost reports whether host is localhost or a loopback or private
// address.
func localHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && (a.IsLoopback() || a.IsPrivate())
}

// fetchJSON GETs a JSON document: status exactly 200, JSON content type,
// bounded size, no redirects.
func (s *Server) fetchJSON(ctx context.Context, rawURL string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	hc := *s.cfg.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		var ne net.Error
		if ctx.Err() != nil || (errorsAs(err, &ne) && ne.Timeout()) {
			return fmt.Errorf("fetching %s timed out", rawURL)
		}
		return fmt.Errorf("fetching %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching %s: HTTP status %d (200 required)", rawURL, resp.StatusCode)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return fmt.Errorf("fetching %s: content type %q is not JSON", rawURL, mt)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataSize+1))
	if err != nil {
		return fmt.Errorf("reading %s: %v", rawURL, err)
	}
	if len(body) > maxMetadataSize {
		return fmt.Errorf("%s is larger than %d bytes", rawURL, maxMetadataSize)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s is not valid JSON: %v", rawURL, err)
	}
	return nil
}
