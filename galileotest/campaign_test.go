package galileotest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

// The fault campaign: experiments of every naming strategy run in parallel
// through a proxy that faults a fifth of the requests (503, 429, a
// connection dropped before or after the server processed the request, a
// slow answer, a request never answered). Each seed must give the fault-free verdicts, store every
// run exactly once with every row, and finish within its deadline.
//
// go test runs a seeded, small campaign; GALILEOTEST_CAMPAIGN=long runs 20
// seeds of 4 times as many experiments (see the README, "Reliability").
func TestCampaign_faults(t *testing.T) {
	t.Parallel()
	seeds, perStrategy := 4, 3
	if os.Getenv("GALILEOTEST_CAMPAIGN") == "long" {
		seeds, perStrategy = 20, 12
	} else if testing.Short() {
		seeds = 1
	}
	exps := campaignExperiments(perStrategy)
	want := campaignRun(t, exps, emulator.DuplicateNamesReject, nil)
	for seed := 1; seed <= seeds; seed++ {
		// The server's rule on duplicate experiment names alternates: the
		// harness must store every run once under either.
		dup := emulator.DuplicateNamesAllow
		if seed%2 == 1 {
			dup = emulator.DuplicateNamesReject
		}
		t.Run(fmt.Sprintf("seed=%d/duplicate_names=%s", seed, dup), func(t *testing.T) {
			t.Parallel()
			got := campaignRun(t, exps, dup, randomFaults(uint64(seed), 0.2))
			for name, w := range want {
				if g := got[name]; g != w {
					t.Errorf("%s: verdict under faults %q, fault-free %q", name, g, w)
				}
			}
		})
	}
}

// campaignExperiments are perStrategy experiments of each naming strategy:
// rerun ones share a base name, so they also race for names; some miss
// their threshold, some have an errored row.
func campaignExperiments(perStrategy int) []Experiment {
	var out []Experiment
	for i := range perStrategy {
		for _, st := range []fixtures.NamingStrategy{fixtures.NamingUnique, fixtures.NamingRerun, fixtures.NamingTemplate} {
			x := Experiment{
				Name: fmt.Sprintf("c-%s-%d", st, i), Project: "campaign", Dataset: qaRows(), Function: "answer",
				Metrics: []string{"correctness"}, Naming: fixtures.Naming{Strategy: st}, Timeout: time.Minute,
				Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.7"}},
			}
			switch {
			case st == fixtures.NamingRerun:
				x.Name = "c-rerun" // every rerun experiment races for the same names
			case st == fixtures.NamingTemplate:
				x.Naming.Template = "{{.Name}}-build"
			}
			if i%3 == 1 {
				x.Expect[0].Expr = "avg >= 0.9" // missed: the planet row is answered wrong
			}
			if i%3 == 2 {
				x.Function, x.Allow = "flaky", fixtures.Allowance{ErroredRows: 1}
			}
			out = append(out, x)
		}
	}
	return out
}

// campaignRun runs exps on a fresh emulator behind a proxy faulting as
// decide says, checks what the server stored, and returns each run's
// verdict keyed by experiment and index.
func campaignRun(t *testing.T, exps []Experiment, dup emulator.DuplicateNames, decide func(*http.Request) fault) map[string]string {
	t.Helper()
	emu, direct := newEmulator(t, emulator.Options{ScoringDelay: time.Millisecond, DuplicateNames: dup})
	proxy := newFaultProxy(t, emu, decide)
	answer := func(ctx context.Context, row Row) (string, error) {
		if strings.Contains(row.Input, "planet") {
			return "Saturn", nil
		}
		return row.GroundTruth, nil
	}
	flaky := func(ctx context.Context, row Row) (string, error) {
		if strings.Contains(row.Input, "sky") {
			return "", errors.New("upstream model unavailable")
		}
		return answer(ctx, row)
	}
	// A short attempt timeout: a stalled request must cost one attempt.
	c := proxy.client(t, emu, galileo.WithAttemptTimeout(300*time.Millisecond))
	r, err := NewRunner(WithClient(c), WithFunc("answer", answer), WithFunc("flaky", flaky))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	reps := make([]*report.Experiment, len(exps))
	var wg sync.WaitGroup
	for i, x := range exps {
		wg.Go(func() {
			rep, err := r.Run(ctx, x)
			if err != nil {
				t.Errorf("%s: %v", x.Name, err)
			}
			reps[i] = rep
		})
	}
	wg.Wait()
	verdicts := map[string]string{}
	for i, rep := range reps {
		var b strings.Builder
		fmt.Fprintf(&b, "%s rows=%d errored=%d", rep.Status, rep.Rows, rep.ErroredRows)
		for _, th := range rep.Thresholds {
			fmt.Fprintf(&b, "; %s %s pass=%v rows=%d", th.Metric, th.Expr, th.Pass, th.Rows)
			if th.Actual != nil {
				fmt.Fprintf(&b, " actual=%g", *th.Actual)
			}
		}
		verdicts[fmt.Sprintf("%s#%d", exps[i].Name, i)] = b.String()
	}
	checkStoredOnce(t, direct, reps)
	if decide != nil {
		var fired []string
		kinds, total := 0, proxy.count(faultNone)
		for f := fault503; f <= faultStall; f++ {
			if n := proxy.count(f); n > 0 {
				kinds++
				total += n
				fired = append(fired, fmt.Sprintf("%s×%d", f, n))
			}
		}
		t.Logf("faults: %s of %d requests", strings.Join(fired, ", "), total)
		if kinds < 4 {
			t.Errorf("only %d kinds of fault fired (%v): the campaign did not exercise the faults", kinds, fired)
		}
	}
	return verdicts
}

// checkStoredOnce checks that every run is stored exactly once, under a
// name of its own, with a trace per row, and nothing else is stored.
func checkStoredOnce(t *testing.T, c *galileo.Client, reps []*report.Experiment) {
	t.Helper()
	if len(reps) == 0 || reps[0] == nil || reps[0].ProjectID == "" {
		t.Fatal("no run reached the server")
	}
	ctx := context.Background()
	list, err := c.Experiments.List(ctx, reps[0].ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]galileo.ExperimentResponse{}
	names := map[string]int{}
	for _, e := range list {
		byID[e.ID] = e
		names[e.Name]++
	}
	if len(list) != len(reps) {
		t.Errorf("%d experiments stored for %d runs (orphans or duplicates)", len(list), len(reps))
	}
	for name, n := range names {
		if n > 1 {
			t.Errorf("%d experiments are named %q", n, name)
		}
	}
	for _, rep := range reps {
		if _, ok := byID[rep.ID]; !ok {
			t.Errorf("%s: the run's experiment %s is not stored", rep.Name, rep.ID)
			continue
		}
		n, err := c.Records.Count(ctx, rep.ProjectID, galileo.RecordTrace, galileo.LogRecordsQueryCountRequest{ExperimentID: &rep.ID, Filters: []galileo.Filter{}})
		if err != nil || n != rep.Rows {
			t.Errorf("%s (%s): %d traces stored (%v), want one per row: %d", rep.Name, rep.RunName, n, err, rep.Rows)
		}
	}
}
