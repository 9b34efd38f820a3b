package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/galileo"
)

func TestEmulator_AggregateFlagsParse(t *testing.T) {
	cases := []struct {
		args       []string
		disabled   bool
		publish    emulator.PublishAggregates
		code       int
		stderrPart string
	}{
		{args: nil, publish: emulator.PublishIncremental, code: -1},
		{args: []string{"--structured-aggregates=false"}, disabled: true, publish: emulator.PublishIncremental, code: -1},
		{args: []string{"--structured-aggregates=true", "--publish-aggregates", "incremental"}, publish: emulator.PublishIncremental, code: -1},
		{args: []string{"--publish-aggregates=at-completion"}, publish: emulator.PublishAtCompletion, code: -1},
		{args: []string{"--publish-aggregates=later"}, code: 2,
			stderrPart: `galileotest emulator: --publish-aggregates: publish aggregates rule "later" is not one of incremental, at-completion`},
		{args: []string{"--structured-aggregates=maybe"}, code: 2, stderrPart: `invalid boolean value "maybe" for -structured-aggregates`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(append([]string{"flags"}, tc.args...), " "), func(t *testing.T) {
			var errOut bytes.Buffer
			opts, code := emulatorOptions(tc.args, &errOut)
			if code != tc.code || !strings.Contains(errOut.String(), tc.stderrPart) {
				t.Fatalf("code %d, stderr %q; want %d and %q", code, errOut.String(), tc.code, tc.stderrPart)
			}
			if code < 0 && (opts.DisableStructuredAggregates != tc.disabled || opts.PublishAggregates != tc.publish) {
				t.Errorf("options: DisableStructuredAggregates %t, PublishAggregates %q; want %t, %q", opts.DisableStructuredAggregates, opts.PublishAggregates, tc.disabled, tc.publish)
			}
		})
	}
}

// modeRun is a function experiment on a served emulator.
type modeRun struct {
	e        servedEmulator
	c        *galileo.Client
	pid, eid string
	rows     []map[string]any
}

func newModeRun(t *testing.T, ctx context.Context, args ...string) *modeRun {
	t.Helper()
	e := serveEmulator(t, append([]string{"--addr", "127.0.0.1:0", "--quiet", "--scoring-delay", "1ms"}, args...)...)
	c, err := galileo.NewClient(galileo.WithBaseURL(e.url), galileo.WithAPIKey(emulator.DefaultAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	proj, err := c.Projects.Create(ctx, "modes")
	if err != nil {
		t.Fatal(err)
	}
	rows := []map[string]any{{"input": "Paris", "output": "Paris"}, {"input": "Rome", "output": "Rome"}, {"input": "Madrid", "output": "Madrid"}, {"input": "Oslo", "output": "Oslo"}}
	ds, err := c.Datasets.Create(ctx, "cities", rows, &galileo.DatasetCreateOptions{ProjectID: proj.ID})
	if err != nil {
		t.Fatal(err)
	}
	x, err := c.Experiments.New(galileo.ExperimentSpec{Name: "fn", ProjectID: proj.ID, DatasetID: ds.ID, Metrics: []string{"correctness"}, RunMode: galileo.RunByClient}).Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &modeRun{e: e, c: c, pid: proj.ID, eid: x.ID(), rows: rows}
}

// ingest logs complete traces for rows[from:to] and waits until the
// records of all of them carry a correctness result.
func (m *modeRun) ingest(t *testing.T, ctx context.Context, from, to int) {
	t.Helper()
	var traces []galileo.Span
	for _, r := range m.rows[from:to] {
		in, out := r["input"].(string), r["output"].(string)
		traces = append(traces, galileo.Span{Type: "trace", Name: "fn", CreatedAt: time.Now().UTC(), Input: in, Output: out, DatasetInput: &in, DatasetOutput: &out})
	}
	if _, err := m.c.Traces.Ingest(ctx, m.pid, galileo.LogTracesIngestRequest{ExperimentID: &m.eid, Traces: traces, IsComplete: true}); err != nil {
		t.Fatal(err)
	}
	for {
		scored := 0
		for rec, err := range m.c.Records.All(ctx, m.pid, galileo.RecordTrace, galileo.LogRecordsQueryRequest{ExperimentID: &m.eid, Limit: 100, Filters: []galileo.Filter{}}) {
			if err != nil {
				t.Fatal(err)
			}
			if mi, ok := rec.MetricInfo["correctness"]; ok && mi.StatusType == "success" {
				scored++
			}
		}
		if scored >= to {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d of %d records scored: %v", scored, to, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// get returns the raw experiment answer. It may be read just after the
// last record is scored: the emulator publishes aggregates under the lock
// that stores the scores.
func (m *modeRun) get(t *testing.T) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/projects/%s/experiments/%s", m.e.url, m.pid, m.eid), nil)
	req.Header.Set("Galileo-API-Key", emulator.DefaultAPIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET experiment: %d %s (%v)", resp.StatusCode, b, err)
	}
	return out
}

func TestEmulator_AggregateFlagsApplied(t *testing.T) {
	t.Run("structured aggregates by default", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		m := newModeRun(t, ctx)
		m.ingest(t, ctx, 0, 2)
		sam, _ := m.get(t)["structured_aggregate_metrics"].(map[string]any)
		if len(sam) == 0 {
			t.Errorf("default: structured_aggregate_metrics empty after 2 scored rows")
		}
	})
	t.Run("--structured-aggregates=false", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		m := newModeRun(t, ctx, "--structured-aggregates=false")
		m.ingest(t, ctx, 0, len(m.rows))
		got := m.get(t)
		if v, present := got["structured_aggregate_metrics"]; !present || v != nil {
			t.Errorf("structured_aggregate_metrics = %v (present %t), want null", v, present)
		}
		if legacy, _ := got["aggregate_metrics"].(map[string]any); legacy["total_responses"] != float64(len(m.rows)) {
			t.Errorf("aggregate_metrics = %v, want total_responses %d", got["aggregate_metrics"], len(m.rows))
		}
	})
	t.Run("--publish-aggregates=at-completion", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		m := newModeRun(t, ctx, "--publish-aggregates=at-completion")
		m.ingest(t, ctx, 0, 2)
		if v := m.get(t)["structured_aggregate_metrics"]; v != nil {
			t.Errorf("2 of 4 rows scored: structured_aggregate_metrics = %v, want null until the run completes", v)
		}
		m.ingest(t, ctx, 2, len(m.rows))
		sam, _ := m.get(t)["structured_aggregate_metrics"].(map[string]any)
		if len(sam) == 0 {
			t.Fatal("complete run: no structured_aggregate_metrics")
		}
		for key, a := range sam {
			if n := a.(map[string]any)["count"]; n != float64(len(m.rows)) {
				t.Errorf("structured_aggregate_metrics[%s].count = %v, want %d", key, n, len(m.rows))
			}
		}
	})
}
