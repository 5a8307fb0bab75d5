package bench

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Scenario names, in the order they run.
const (
	ScenarioCreate      = "create"    // sequential createRecord
	ScenarioGet         = "get"       // sequential getRecord
	ScenarioList        = "list"      // listRecords pages
	ScenarioWritersOne  = "writers-1" // N concurrent writers on one repo, then verified
	ScenarioWritersMany = "writers-n" // N concurrent writers on N repos, then verified
	ScenarioGetRepo     = "getrepo"   // getRepo of a large repo
	ScenarioFirehose    = "firehose"  // K subscribers, commit→frame latency
)

// AllScenarios lists every scenario in run order.
var AllScenarios = []string{
	ScenarioCreate, ScenarioGet, ScenarioList, ScenarioWritersOne,
	ScenarioWritersMany, ScenarioGetRepo, ScenarioFirehose,
}

// scenarioTitles are the names shown in the table.
var scenarioTitles = map[string]string{
	ScenarioCreate:      "createRecord, sequential",
	ScenarioGet:         "getRecord, sequential",
	ScenarioList:        "listRecords pages (100)",
	ScenarioWritersOne:  "writers on one repo",
	ScenarioWritersMany: "writers on N repos",
	ScenarioGetRepo:     "getRepo, large repo",
	ScenarioFirehose:    "firehose fan-out",
}

// Target is one server to measure.
type Target struct {
	Label         string // column title; default: the URL's host
	URL           string // scheme://host[:port]
	AdminPassword string // makes invite codes when the server requires them
	InviteCode    string // used instead of AdminPassword when set
	PID           int    // the server's process id, to read its RSS (0: not local)
	DataDir       string // the server's data directory, to report its size ("": unknown)
}

// Config is what to run.
type Config struct {
	Targets     []Target
	Runs        int           // runs per target; the report shows the median (default 1)
	N           int           // operations per scenario (default 5000)
	Concurrency int           // writers in the writers scenarios (default 8)
	Accounts    int           // repos of the writers-n scenario (default 8)
	Duration    time.Duration // when > 0, throughput scenarios run this long instead of N operations
	Records     int           // records in the getRepo scenario's repo (default 100000)
	Subscribers int           // firehose subscribers (default 50)
	// FirehoseWrites is the number of writes the firehose scenario
	// correlates (default: min(N, 1000)).
	FirehoseWrites int
	Scenarios      []string // default: AllScenarios
	Baseline       bool     // also measure the client alone against a trivial loopback server
	Progress       Progress // default: none
}

// withDefaults fills in defaults and checks the values.
func (c Config) withDefaults() (Config, error) {
	if len(c.Targets) == 0 {
		return c, errors.New("bench: no target")
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Runs, 1)
	def(&c.N, 5000)
	def(&c.Concurrency, 8)
	def(&c.Accounts, 8)
	def(&c.Records, 100000)
	def(&c.Subscribers, 50)
	def(&c.FirehoseWrites, min(c.N, 1000))
	if len(c.Scenarios) == 0 {
		c.Scenarios = AllScenarios
	}
	if c.Progress == nil {
		c.Progress = nopProgress{}
	}
	for _, v := range []int{c.Runs, c.N, c.Concurrency, c.Accounts, c.Records, c.Subscribers, c.FirehoseWrites} {
		if v < 0 {
			return c, errors.New("bench: counts must be positive")
		}
	}
	for _, s := range c.Scenarios {
		if !slices.Contains(AllScenarios, s) {
			return c, fmt.Errorf("bench: unknown scenario %q (known: %s)", s, strings.Join(AllScenarios, ", "))
		}
	}
	targets := make([]Target, len(c.Targets))
	for i, t := range c.Targets {
		var err error
		if targets[i], err = t.normalize(); err != nil {
			return c, err
		}
	}
	c.Targets = targets
	return c, nil
}

func (t Target) normalize() (Target, error) {
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return t, fmt.Errorf("bench: target %q is not an http(s) URL", t.URL)
	}
	t.URL = u.Scheme + "://" + u.Host
	if t.Label == "" {
		t.Label = u.Host
	}
	return t, nil
}

// wsURL is the websocket URL of an XRPC subscription on the target.
func (t Target) wsURL(nsid string) string {
	return "ws" + strings.TrimPrefix(t.URL, "http") + "/xrpc/" + nsid
}

// has reports whether the scenario is selected.
func (c Config) has(s string) bool { return slices.Contains(c.Scenarios, s) }
