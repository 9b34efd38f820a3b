package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

func judgedExperiment() *Experiment {
	return &Experiment{
		Name: "bot", Status: StatusPassed, Rows: 4,
		Metrics: []Metric{{Name: "correctness", Key: "9f3c", Label: "Correctness",
			MetricAggregates: galileo.MetricAggregates{Avg: fp(0.75), Count: ip(4)}}},
	}
}

func TestExperiment_Judge(t *testing.T) {
	e := judgedExperiment()
	th, err := e.Judge("Correctness", "avg >= 0.7")
	if err != nil || !th.Pass || e.Status != StatusPassed || len(e.Thresholds) != 1 {
		t.Fatalf("Judge pass = %+v, %v; status %s, %d thresholds", th, err, e.Status, len(e.Thresholds))
	}
	th, err = e.Judge("correctness", "avg >= 0.9")
	if err != nil || th.Pass || e.Status != StatusFailed || len(e.Thresholds) != 2 {
		t.Fatalf("Judge miss = %+v, %v; status %s, %d thresholds; want a recorded miss and status failed", th, err, e.Status, len(e.Thresholds))
	}
	if got := e.Failure(th); got == "" || th.Explanation != "correctness avg = 0.75, want >= 0.9 (4 rows)" {
		t.Errorf("explanation %q, failure %q", th.Explanation, got)
	}
}

func TestExperiment_Judge_errorsAreRecorded(t *testing.T) {
	for _, tt := range []struct{ metric, expr string }{{"bleu", "avg >= 0.5"}, {"correctness", "avg >== 1"}} {
		e := judgedExperiment()
		th, err := e.Judge(tt.metric, tt.expr)
		if err == nil || th.Pass || e.Status != StatusFailed || len(e.Thresholds) != 1 || e.Thresholds[0].Explanation != err.Error() {
			t.Errorf("Judge(%q, %q) = %+v, %v; status %s: want an error recorded as a failed threshold", tt.metric, tt.expr, th, err, e.Status)
		}
	}
	e := judgedExperiment()
	e.Status, e.Error = StatusTimeout, "gave up"
	if _, err := e.Judge("correctness", "avg >= 0.5"); err == nil || len(e.Thresholds) != 0 || e.Status != StatusTimeout {
		t.Errorf("Judge on a timed-out experiment: %v, %d thresholds, status %s", err, len(e.Thresholds), e.Status)
	}
}

func TestMergeJSONFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	one := func(run, name string) *Report {
		return &Report{RunID: run, Backend: BackendEmulator, Experiments: []Experiment{{Name: name, Status: StatusPassed}}}
	}
	names := func() []string {
		t.Helper()
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := ReadJSON(f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range r.Experiments {
			out = append(out, e.Name)
		}
		return out
	}
	if err := WriteFile(path, FormatJSON, one("other-run", "stale")); err != nil {
		t.Fatal(err)
	}
	if err := MergeJSONFile(ctx, path, one("run-1", "a")); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(names()); got != "[a]" {
		t.Errorf("after a write of another run: %s, want [a] (the old run replaced)", got)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if err := MergeJSONFile(ctx, path, one("run-1", fmt.Sprintf("w%d", i))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := names(); len(got) != 9 {
		t.Errorf("after 8 concurrent writers of the same run: %v, want 9 experiments", got)
	}
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
}

func TestMergeJSONFile_waitsForTheLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path+".lock", []byte("1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := MergeJSONFile(ctx, path, &Report{Experiments: []Experiment{{Name: "a"}}})
	if err == nil {
		t.Fatal("MergeJSONFile wrote while another writer held the lock")
	}
	old := time.Now().Add(-2 * staleLock)
	if err := os.Chtimes(path+".lock", old, old); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if err := MergeJSONFile(ctx2, path, &Report{Experiments: []Experiment{{Name: "a"}}}); err != nil {
		t.Fatalf("a stale lock was not taken over: %v", err)
	}
}

// A metric the experiment did not score is named with the closest scored
// one when it looks like a typo, and without a guess when nothing is close.
func TestExperiment_Judge_didYouMean(t *testing.T) {
	for _, tt := range []struct{ metric, want, notWant string }{
		{"correctnes", `bot: metric "correctnes" was not scored by this experiment (did you mean "correctness"?); add it to the experiment's metrics (scored: correctness)`, ""},
		{"Corectness", `(did you mean "correctness"?)`, ""},
		{"latency", `bot: metric "latency" was not scored by this experiment; add it`, "did you mean"},
		{"bleu", `metric "bleu" was not scored`, "did you mean"},
	} {
		e := judgedExperiment()
		e.Metrics = append(e.Metrics, Metric{Name: "toxicity", ScorerName: "output_toxicity", Label: "Output Toxicity"})
		_, err := e.Judge(tt.metric, "avg >= 0.5")
		if err == nil {
			t.Fatalf("Judge(%q): no error", tt.metric)
		}
		want := strings.Replace(tt.want, "(scored: correctness)", "(scored: correctness, toxicity)", 1)
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Judge(%q) error\n%s\nwant it to contain\n%s", tt.metric, err, want)
		}
		if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
			t.Errorf("Judge(%q) error %q: want no %q", tt.metric, err, tt.notWant)
		}
	}
	e := judgedExperiment()
	e.Metrics = append(e.Metrics, Metric{Name: "toxicity", ScorerName: "output_toxicity", Label: "Output Toxicity"})
	if _, err := e.Judge("output toxicty", "avg <= 0.1"); err == nil || !strings.Contains(err.Error(), `did you mean "Output Toxicity"?`) {
		t.Errorf("Judge(output toxicty) error %v: want the label suggested", err)
	}
}
