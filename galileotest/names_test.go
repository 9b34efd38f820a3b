package galileotest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/fixtures"
)

func TestThresholdName(t *testing.T) {
	tests := map[string]string{
		"avg >= 0.95":          "avg_ge_0.95",
		"avg>=0.95":            "avg_ge_0.95",
		"p95 <= 2s":            "p95_le_2s",
		"sum <= $0.50":         "sum_le_usd0.50",
		"rate(1) >= 90%":       "rate_1_ge_90%",
		`rate("yes") > 0.5`:    "rate_yes_gt_0.5",
		"0.8 <= avg <= 1":      "0.8_le_avg_le_1",
		"avg != 0":             "avg_ne_0",
		"min == 1":             "min_eq_1",
		"count < 3":            "count_lt_3",
		"unscored_rows <= 0":   "unscored_rows_le_0",
		"Context Adherence":    "Context_Adherence",
		"correctness":          "correctness",
		"a/b":                  "a_b",
		"avg >= 1e+3":          "avg_ge_1e_3",
		"  ":                   "_",
		"(rate)":               "rate",
		"rate('a|b*') >= 0.1%": "rate_a_b_ge_0.1%",
	}
	special := regexp.MustCompile(`[$()\[\]{}*+?^|\\<>=!" ]`)
	for in, want := range tests {
		got := thresholdName(in)
		if got != want {
			t.Errorf("thresholdName(%q) = %q, want %q", in, got, want)
		}
		if special.MatchString(got) {
			t.Errorf("thresholdName(%q) = %q keeps a character special to -run", in, got)
		}
		// -run with the printed name selects it.
		if in != "  " && !regexp.MustCompile(got).MatchString(got) {
			t.Errorf("%q does not match itself as a pattern", got)
		}
	}
}

// TestUnselectedBy: an experiment is skipped when -run (or -skip) leaves
// none of its threshold subtests, judged level by level as the testing
// package does.
func TestUnselectedBy(t *testing.T) {
	x := fixtures.Experiment{Name: "bot", Function: "answer", Metrics: []string{"correctness"},
		Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}, {Metric: "latency", Expr: "p95 <= 2s"}}}
	const name = "TestEvals/file/bot"
	tests := []struct {
		run, skip string
		runs      bool
	}{
		{"", "", true},
		{"TestEvals", "", true},
		{"TestEvals/file/bot", "", true},
		{"TestEvals/file/bot/latency", "", true},
		{"TestEvals/file/bot/latency/p95_le_2s", "", true},
		{"TestEvals//bot/correctness/avg_ge_0.9$", "", true},
		{"TestEvals/file/bot/errored_rows", "", true},
		{"TestEvals/file/bot/cost", "", false},
		{"TestEvals/file/bot/latency/avg", "", true}, // latency may get an unscored_rows check: conservative
		{"TestEvals/file/bot/correctness/avg_ge_0.95", "", true},
		{"TestEvals/file/bot/cost|TestEvals/file/bot/latency", "", true},
		{"TestEvals/file/bot/(cost|latency)", "", true},
		{"TestEvals/file/bot/[a-c]ost", "", false},
		{"", "TestEvals/file/bot", false},
		{"", "TestEvals/file/bot/latency", true},
		{"", "TestEvals/file/bot/.*/.*", true}, // conservative, as above
		{"", "TestEvals/file/bot/(correctness|latency|errored_rows)", false},
	}
	for _, tc := range tests {
		run, err := parseOptionalFilter(tc.run)
		if err != nil {
			t.Fatal(err)
		}
		skip, err := parseOptionalFilter(tc.skip)
		if err != nil {
			t.Fatal(err)
		}
		why := unselectedBy(run, skip, name, x)
		if runs := why == ""; runs != tc.runs {
			t.Errorf("-run %q -skip %q: runs %v (%q), want %v", tc.run, tc.skip, runs, why, tc.runs)
		}
	}
}

func parseOptionalFilter(s string) (pathFilter, error) {
	if s == "" {
		return nil, nil
	}
	return parsePathFilter(s)
}

// TestRunDir_runFilterAndAttrs runs RunDir in a child go test -json:
// the threshold subtests carry galileo.link and galileo.actual attributes;
// a printed threshold name passed to -run selects it; and a -run that
// selects none of an experiment's thresholds skips the experiment, saying
// why, without running it.
func TestRunDir_runFilterAndAttrs(t *testing.T) {
	const dirEnv = "GALILEOTEST_TEST_DIR"
	if os.Getenv(subprocessEnv) == "rundir-names" {
		RunDir(t, os.Getenv(dirEnv), WithFunc("answer", echoFunc), fastEmulator())
		return
	}
	if testing.Short() {
		t.Skip("runs child test processes")
	}
	t.Parallel()
	dir := t.TempDir()
	fixture := "name: alpha\ndataset:\n  rows:\n    - {input: \"4\", ground_truth: \"4\"}\nfunction: answer\nmetrics: [correctness]\n" +
		"expect:\n  correctness: avg >= 0.9\n  cost: sum <= $0.50\ntimeout: 30s\n"
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(fixture), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{subprocessEnv + "=rundir-names", dirEnv + "=" + dir, "GALILEOTEST_BACKEND=emulator"}
	const exp = "TestRunDir_runFilterAndAttrs/a/alpha"

	events := runChildJSON(t, "^TestRunDir_runFilterAndAttrs$/a/alpha/cost/sum_le_usd0.5$", env...)
	ev := events[exp+"/cost/sum_le_usd0.5"]
	if ev == nil || ev.Action != "pass" {
		t.Fatalf("-run with the printed name: %s/cost/sum_le_usd0.5 = %+v, want pass; events: %v", exp, ev, eventNames(events))
	}
	if got := ev.Attrs["galileo.actual"]; !strings.HasPrefix(got, "$") {
		t.Errorf("galileo.actual = %q, want a dollar amount", got)
	}
	if got := ev.Attrs["galileo.link"]; !strings.Contains(got, "/experiments/") {
		t.Errorf("galileo.link = %q, want the console link", got)
	}
	if events[exp+"/correctness/avg_ge_0.9"] != nil {
		t.Errorf("-run selected only cost, but correctness ran too")
	}

	reportPath := filepath.Join(t.TempDir(), "report.json")
	events = runChildJSON(t, "^TestRunDir_runFilterAndAttrs$/a/alpha/latency", append(env, "GALILEOTEST_REPORT="+reportPath)...)
	ev = events[exp]
	if ev == nil || ev.Action != "skip" || !strings.Contains(ev.Output, "selects none of this experiment's threshold subtests") {
		t.Fatalf("-run selecting no threshold: %s = %+v, want skip saying why", exp, ev)
	}
	// The harness starts experiments before their subtests run: one that
	// -run excludes must not be among them. A report lists every
	// experiment that ran; none did, so there is none.
	if b, err := os.ReadFile(reportPath); err == nil {
		t.Errorf("the skipped experiment still ran; the report lists it:\n%s", b)
	}
}

func eventNames(events map[string]*childEvent) []string {
	var out []string
	for name, ev := range events {
		out = append(out, name+" "+ev.Action)
	}
	return out
}
