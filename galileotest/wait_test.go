package galileotest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/galileo"
)

// scoredExperiment creates an experiment on the emulator whose rows the
// server scores for correctness from the dataset's generated outputs: a
// third of them are wrong, so a partial average differs from the final
// one.
func scoredExperiment(t testing.TB, emu *emulator.Server, c *galileo.Client, pid, name string, rows int) *galileo.Experiment {
	t.Helper()
	var recs []map[string]any
	for i := range rows {
		out := fmt.Sprintf("answer %d", i)
		gen := out
		if i%3 == 2 {
			gen = "something else entirely"
		}
		recs = append(recs, map[string]any{"input": fmt.Sprintf("question %d", i), "output": out, "generated_output": gen})
	}
	ds, err := emu.CreateDataset(pid, name+"-rows", recs)
	if err != nil {
		t.Fatal(err)
	}
	e, err := c.Experiments.New(galileo.ExperimentSpec{Name: name, ProjectID: pid, DatasetID: ds.ID,
		Metrics: []string{galileo.MetricCorrectness}}).Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestWaitForMetrics_pythonExample ports the official reference's "poll
// until a metric is computed, then assert" example: with WaitForMetrics
// the value asserted on is the complete one — every row counted, the
// final average — in each way the server may publish aggregates
// (incrementally, at completion, or not at all, when the records are
// recounted).
func TestWaitForMetrics_pythonExample(t *testing.T) {
	t.Parallel()
	const rows = 12
	modes := []struct {
		name string
		opts emulator.Options
	}{
		{"incremental", emulator.Options{ScoringDelay: 15 * time.Millisecond}},
		{"at completion", emulator.Options{ScoringDelay: 15 * time.Millisecond, PublishAggregates: emulator.PublishAtCompletion}},
		{"no structured aggregates", emulator.Options{ScoringDelay: 15 * time.Millisecond, DisableStructuredAggregates: true}},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			emu, c := newEmulator(t, mode.opts)
			p, err := emu.CreateProject("waits")
			if err != nil {
				t.Fatal(err)
			}
			exp := scoredExperiment(t, emu, c, p.ID, "python-example", rows)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()

			st, err := exp.WaitForMetrics(ctx, nil, galileo.MetricCorrectness)
			if err != nil {
				t.Fatal(err)
			}
			agg := st.Metrics[0].Aggregates
			if !st.Done || agg == nil || agg.Rows() != rows {
				t.Fatalf("WaitForMetrics returned %+v with %d rows counted, want done with all %d", st, agg.Rows(), rows)
			}
			// The final value, once the emulator is idle: the average of
			// every trace's score.
			if err := emu.WaitIdle(ctx); err != nil {
				t.Fatal(err)
			}
			var sum float64
			n := 0
			for _, tr := range emu.Traces(exp.ID()) {
				if v, ok := tr.Metrics["correctness"].(float64); ok {
					sum += v
					n++
				}
			}
			if n != rows {
				t.Fatalf("%d traces have a correctness score, want %d", n, rows)
			}
			if avg, ok := agg.Stat("avg"); !ok || fmt.Sprintf("%.6f", avg) != fmt.Sprintf("%.6f", sum/rows) {
				t.Errorf("avg after the wait = %v, want the final %.6f", avg, sum/rows)
			}
			// With aggregates on the server, the handle's cache now holds the
			// complete value too.
			if !mode.opts.DisableStructuredAggregates {
				got, err := exp.GetMetricAggregate(ctx, "CORRECTNESS")
				if err != nil || got.Rows() != rows {
					t.Errorf("GetMetricAggregate after the wait = %+v, %v; want %d rows", got, err, rows)
				}
			}
		})
	}
}

func TestWaitForMetrics_unknownMetric(t *testing.T) {
	emu, c := newEmulator(t)
	p, err := emu.CreateProject("waits")
	if err != nil {
		t.Fatal(err)
	}
	exp := scoredExperiment(t, emu, c, p.ID, "typo", 3)
	_, err = exp.WaitForMetrics(t.Context(), nil, "corectness")
	if !errors.Is(err, galileo.ErrUnknownMetric) || !strings.Contains(err.Error(), `did you mean "correctness"?`) {
		t.Fatalf("err = %v, want ErrUnknownMetric with a suggestion", err)
	}
}

// TestWaitForMetrics_onePollForManyExperiments checks that waits on 32
// experiments of one project poll with one experiments search per tick,
// covering every experiment, and never one GET per experiment.
func TestWaitForMetrics_onePollForManyExperiments(t *testing.T) {
	t.Parallel()
	const n = 32
	var searches, gets atomic.Int64
	var maxIDs atomic.Int64
	count := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/experiments/search"):
				searches.Add(1)
				var body struct {
					Filters []struct {
						Name  string `json:"name"`
						Value any    `json:"value"`
					} `json:"filters"`
				}
				b, _ := io.ReadAll(r.Body)
				_ = json.Unmarshal(b, &body)
				r.Body = io.NopCloser(bytes.NewReader(b))
				if len(body.Filters) == 1 && body.Filters[0].Name == "id" {
					if ids, ok := body.Filters[0].Value.([]any); ok && int64(len(ids)) > maxIDs.Load() {
						maxIDs.Store(int64(len(ids)))
					}
				}
			case r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/experiments/"):
				gets.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	}
	emu, c := newEmulator(t, emulator.Options{ScoringDelay: 20 * time.Millisecond, Middleware: count})
	p, err := emu.CreateProject("many")
	if err != nil {
		t.Fatal(err)
	}
	exps := make([]*galileo.Experiment, n)
	for i := range exps {
		exps[i] = scoredExperiment(t, emu, c, p.ID, fmt.Sprintf("parallel-%d", i), 20)
	}
	// The first answers show nothing scored, so that no wait ends before
	// every wait has joined, however slow the set-up was.
	if err := emu.Fault("POST /projects/{project_id}/experiments/search", emulator.Fault{PendingPolls: 3}); err != nil {
		t.Fatal(err)
	}
	searches.Store(0)
	gets.Store(0)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	polls := make([]int, n)
	var wg sync.WaitGroup
	for i, e := range exps {
		wg.Go(func() {
			st, err := e.WaitForMetrics(ctx, nil, galileo.MetricCorrectness)
			if err != nil {
				t.Error(err)
				return
			}
			polls[i] = st.Polls
		})
	}
	wg.Wait()
	most, total := 0, 0
	for _, p := range polls {
		most, total = max(most, p), total+p
	}
	t.Logf("%d searches; %d polls seen in all, at most %d by one wait", searches.Load(), total, most)
	if g := gets.Load(); g != 0 {
		t.Errorf("%d GETs of single experiments, want every poll batched", g)
	}
	// Every tick answers every wait joined: the requests are about as many
	// as the polls of the longest wait, and a small fraction of the polls
	// the waits saw (one request each without batching).
	if s := searches.Load(); s > int64(most)+2 || 8*s > int64(total) {
		t.Errorf("%d experiments searches for %d waits that saw %d polls in all (at most %d each), want about one request per poll of the longest wait",
			s, n, total, most)
	}
	if m := maxIDs.Load(); m != n {
		t.Errorf("the largest search asked for %d experiments, want all %d in one request", m, n)
	}
}

// TestResolveMetrics_oneIdentity checks on the emulator's catalogue that
// every built-in metric label resolves, and that the other spellings of a
// metric — name, label in another case, metric_key_alias — resolve to the
// same aggregate key, for specs and aggregate look-ups alike.
func TestResolveMetrics_oneIdentity(t *testing.T) {
	emu, c := newEmulator(t)
	p, err := emu.CreateProject("identity")
	if err != nil {
		t.Fatal(err)
	}
	labels := galileo.GalileoMetrics()
	ms, err := c.Experiments.ResolveMetrics(t.Context(), p.ID, labels)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.Label != labels[i] || !galileo.IsID(m.Key) {
			t.Errorf("%s resolved to %+v", labels[i], m)
		}
	}
	same := map[string][]string{
		galileo.MetricCompleteness:      {"completeness", "COMPLETENESS", "completeness_gpt"},
		galileo.MetricOutputToxicity:    {"output_toxicity", "output toxicity", "toxicity_gpt"},
		galileo.MetricInputToxicity:     {"input_toxicity"}, // a name, not the SLM scorer's alias
		galileo.MetricCorrectness:       {"CORRECTNESS", " correctness "},
		galileo.MetricInputToxicityLuna: {"input_toxicity_luna"},
	}
	for label, spellings := range same {
		got, err := c.Experiments.ResolveMetrics(t.Context(), p.ID, append([]string{label}, spellings...))
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		for i, m := range got[1:] {
			if m.Key != got[0].Key {
				t.Errorf("%q resolved to %s (%s), want %s like %q", spellings[i], m.Key, m.Label, got[0].Key, label)
			}
		}
	}
	sys, err := c.Experiments.ResolveMetrics(t.Context(), p.ID, []string{"Latency", "COST", "num_total_tokens"})
	if err != nil || sys[0].Key != galileo.MetricDuration || sys[1].Key != galileo.MetricCost || !sys[2].System() {
		t.Errorf("system metrics resolved to %+v, %v", sys, err)
	}
	_, err = c.Experiments.ResolveMetrics(t.Context(), p.ID, []string{"Corectness"})
	if !errors.Is(err, galileo.ErrUnknownMetric) || !strings.Contains(err.Error(), `did you mean "Correctness"?`) {
		t.Errorf("unknown metric: err = %v, want ErrUnknownMetric with a suggestion", err)
	}
}

func TestWaitForMetrics_missingExperimentStopsAtOnce(t *testing.T) {
	emu, c := newEmulator(t)
	p, err := emu.CreateProject("missing")
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Experiments.WaitForMetrics(t.Context(), p.ID, "00000000-0000-4000-8000-000000000000", nil, "cost")
	if !errors.Is(err, galileo.ErrNotFound) || st == nil || st.Polls != 1 {
		t.Fatalf("err = %v after %+v, want ErrNotFound after one poll", err, st)
	}
}
