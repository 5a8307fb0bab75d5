// Command webhook is an example Hearth plugin: it POSTs a JSON summary of
// every firehose commit to a URL the operator configures, signed with
// HMAC-SHA256 when a secret is set. Failed deliveries are kept in the
// plugin's kv and retried on later commits, a bounded number of times.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

func main() {}

func init() {
	pds.Register(pds.Plugin{OnCommit: onCommit})
}

// Defaults of the optional configuration.
const (
	defaultMaxAttempts = 5
	maxQueued          = 100 // failed deliveries kept for a retry
)

// config is the operator's configuration, read on every commit so a
// change applies at once.
type config struct {
	URL         string
	Secret      string
	Repos       []string // DIDs; empty: every repo
	MaxAttempts int
}

func loadConfig() (config, error) {
	c := config{MaxAttempts: defaultMaxAttempts}
	c.URL, _ = pds.Config("url")
	c.Secret, _ = pds.Config("secret")
	if raw, err := pds.Config("repos"); err == nil && raw != "" {
		if err := json.Unmarshal([]byte(raw), &c.Repos); err != nil {
			return c, fmt.Errorf("config repos: %w", err)
		}
	}
	if raw, err := pds.Config("max_attempts"); err == nil && raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return c, fmt.Errorf("config max_attempts: %q is not a positive integer", raw)
		}
		c.MaxAttempts = n
	}
	return c, nil
}

// wants reports whether commits of repo are delivered.
func (c config) wants(repo string) bool { return len(c.Repos) == 0 || slices.Contains(c.Repos, repo) }

// onCommit delivers the queued retries, then ev. A delivery the host
// refused (the URL's host was not granted, or its address is private and
// the operator did not allow it) fails the hook, so the operator sees it in
// `hearth plugin inspect`; the commit stays queued for when that is fixed.
func onCommit(ev pds.CommitEvent) {
	c, err := loadConfig()
	if err != nil {
		pds.Log(pds.LevelError, "webhook: "+err.Error())
		return
	}
	if c.URL == "" {
		pds.Log(pds.LevelWarn, "webhook: no url configured; commit not delivered")
		return
	}
	d := newDelivery(c)
	healthy := d.retryQueued()
	if c.wants(ev.Repo) {
		d.deliverNew(commitBody(ev), ev.Seq, healthy)
	}
	if d.refused != nil {
		msg := fmt.Sprintf("webhook: the host refused the POST to %s: %v", c.URL, d.refused)
		pds.Log(pds.LevelError, msg)
		panic(msg)
	}
}

// isRefusal reports whether err is the host refusing the fetch itself.
func isRefusal(err error) bool { return errors.Is(err, pds.ErrDenied) }
