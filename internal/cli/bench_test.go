package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/internal/bench/benchtest"
	"github.com/hearthpds/hearth/internal/testpds"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, nil, &out, &errb, nil)
	return code, out.String(), errb.String()
}

func TestBenchTwoTargetsSideBySide(t *testing.T) {
	a := testpds.Start(t, testpds.Options{InviteRequired: true})
	b := testpds.Start(t, testpds.Options{InviteRequired: true})
	code, out, errs := runCLI(t, "bench", "--target", "first="+a.URL, "--target", "second="+b.URL,
		"--admin-password", testpds.AdminPassword, "--scenarios", "create,get,writers-1",
		"--n", "30", "--concurrency", "3", "--accounts", "2", "--runs", "2", "--no-progress", "--no-baseline")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"first = " + a.URL, "second = " + b.URL, "createRecord, sequential", "getRecord, sequential", "lost writes"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	header := strings.Split(out, "\n")[4]
	if !strings.Contains(header, "first") || !strings.Contains(header, "second") {
		t.Errorf("header row %q: want a column per target", header)
	}
}

func TestBenchJSON(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	code, out, errs := runCLI(t, "bench", "--target", pds.URL, "--scenarios", "create", "--n", "10", "--json", "--no-progress", "--no-baseline")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep struct {
		Targets []struct {
			Median []struct {
				Scenario string  `json:"scenario"`
				RPS      float64 `json:"requests_per_s"`
			} `json:"median"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if len(rep.Targets) != 1 || len(rep.Targets[0].Median) != 1 || rep.Targets[0].Median[0].RPS <= 0 {
		t.Fatalf("report %+v", rep)
	}
}

func TestBenchFailsLoudlyOnALostWrite(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	liar := benchtest.Proxy(t, pds.URL, benchtest.Options{LieOnCreate: 5})
	code, out, errs := runCLI(t, "bench", "--target", liar, "--scenarios", "writers-1",
		"--n", "20", "--concurrency", "2", "--no-progress", "--no-baseline")
	if code == 0 {
		t.Fatalf("exit 0 although a write was lost\n%s", out)
	}
	if !strings.Contains(errs, "BENCH VERIFICATION FAILED") || !strings.Contains(errs, "1 of 20 acknowledged writes are missing") {
		t.Fatalf("stderr does not say it loudly:\n%s", errs)
	}
	if !strings.Contains(out, "FAILED (see notes)") {
		t.Errorf("table does not show the failure:\n%s", out)
	}
}

func TestBenchFlagErrors(t *testing.T) {
	cases := [][]string{
		{"bench"},
		{"bench", "--target", "ftp://x"},
		{"bench", "--target", "http://a", "--target", "http://b", "--pid", "1,2,3"},
		{"bench", "--target", "http://a", "--scenarios", "nope"},
		{"bench", "--target", "http://a", "--n", "-1"},
	}
	for _, args := range cases {
		if code, _, _ := runCLI(t, args...); code == 0 {
			t.Errorf("%q: exit 0", args)
		}
	}
}
