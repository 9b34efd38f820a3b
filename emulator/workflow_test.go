package emulator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

// poll calls check every interval until it reports done, fails, or ctx
// ends; a timeout reports the last state check described.
func poll(t *testing.T, ctx context.Context, interval time.Duration, check func() (done bool, state string, err error)) {
	t.Helper()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	last := "never checked"
	for {
		done, state, err := check()
		if err != nil {
			t.Fatalf("polling: %v", err)
		}
		last = state
		if done {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting: %v; last state: %s", ctx.Err(), last)
		case <-tick.C:
		}
	}
}

var qaRows = []map[string]any{
	{"input": "What is 2+2?", "output": "4", "metadata": map[string]any{"topic": "math"}},
	{"input": "Capital of France?", "output": "Paris", "metadata": map[string]any{"topic": "geo"}},
	{"input": "Color of the sky?", "output": "blue", "metadata": map[string]any{"topic": "nature"}},
	{"input": "Opposite of hot?", "output": "cold", "metadata": map[string]any{"topic": "words"}},
}

// waitScored waits until every metric of e covers n rows.
func waitScored(t *testing.T, ctx context.Context, e *galileo.Experiment, n int64, metrics ...string) {
	t.Helper()
	poll(t, ctx, 10*time.Millisecond, func() (bool, string, error) {
		if err := e.Refresh(ctx); err != nil {
			return false, "", err
		}
		st, err := e.Status(ctx)
		if err != nil {
			return false, "", err
		}
		var parts []string
		done := true
		for _, m := range metrics {
			agg, err := e.GetMetricAggregate(ctx, m)
			if err != nil {
				return false, "", err
			}
			if agg == nil || agg.Count == nil || *agg.Count < n {
				done = false
				parts = append(parts, m+": not all rows")
				continue
			}
			parts = append(parts, fmt.Sprintf("%s: %d rows", m, *agg.Count))
		}
		return done, st.String() + "; " + strings.Join(parts, ", "), nil
	})
}

func TestWorkflow_GalileoClient(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{ScoringDelay: 5 * time.Millisecond})
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	proj, err := c.Projects.Create(ctx, "workflow")
	if err != nil {
		t.Fatalf("create project: %v", err)
	}
	ds, err := c.Datasets.Create(ctx, "qa", qaRows, &galileo.DatasetCreateOptions{ProjectID: proj.ID})
	if err != nil {
		t.Fatalf("create dataset: %v", err)
	}
	if ds.NumRows == nil || *ds.NumRows != len(qaRows) {
		t.Fatalf("dataset num_rows = %v, want %d", ds.NumRows, len(qaRows))
	}
	tmpl, err := c.Prompts.Create(ctx, "qa-prompt", []galileo.Message{
		{Role: "system", Content: "Answer in one word."},
		{Role: "user", Content: "{{ input }}"},
	}, nil, &galileo.PromptCreateOptions{ProjectID: proj.ID})
	if err != nil {
		t.Fatalf("create template: %v", err)
	}

	// Prompt run: the server renders the template and calls the model.
	prompt, err := c.Experiments.New(galileo.ExperimentSpec{Name: "prompt-run", ProjectID: proj.ID, DatasetID: ds.ID,
		PromptTemplateID: tmpl.ID, Model: ModelGroundTruth, Metrics: []string{"correctness"}}).Create(ctx)
	if err != nil {
		t.Fatalf("create prompt experiment: %v", err)
	}
	waitScored(t, ctx, prompt, int64(len(qaRows)), "correctness")
	agg, _ := prompt.GetMetricAggregate(ctx, "Correctness")
	if agg == nil || agg.Avg == nil || *agg.Avg != 1 {
		t.Errorf("correctness of the ground-truth model = %+v, want avg 1", agg)
	}
	resp := prompt.Response()
	if resp.Status.LogGeneration == nil || resp.Status.LogGeneration.ProgressPercent != 1 {
		t.Errorf("progress = %+v, want 1", resp.Status.LogGeneration)
	}
	for _, key := range []string{"cost", "duration_ns"} {
		if a, ok := resp.StructuredAggregateMetrics[key]; !ok || a.Count == nil || *a.Count != int64(len(qaRows)) {
			t.Errorf("structured_aggregate_metrics[%s] = %+v, want count %d", key, a, len(qaRows))
		}
	}
	if d := resp.StructuredAggregateMetrics["duration_ns"]; d.Min == nil || *d.Min < float64(BaseLatency) {
		t.Errorf("duration_ns = %+v, want at least the base latency %v", d, BaseLatency)
	}
	if resp.AggregateMetrics["average_correctness"] != 1.0 || resp.AggregateMetrics["total_responses"] != float64(len(qaRows)) {
		t.Errorf("aggregate_metrics = %v, want average_correctness 1 and total_responses %d", resp.AggregateMetrics, len(qaRows))
	}
	if resp.PromptModel == nil || *resp.PromptModel != ModelGroundTruth || resp.Prompt == nil || resp.Dataset == nil || *resp.Dataset.Name != "qa" {
		t.Errorf("experiment prompt/dataset fields = model %v, prompt %+v, dataset %+v", resp.PromptModel, resp.Prompt, resp.Dataset)
	}
	// A second run of the same experiment is refused: experiments are immutable.
	_, err = c.Jobs.Create(ctx, galileo.CreateJobRequest{JobName: "playground_run", ProjectID: proj.ID, RunID: prompt.ID(),
		PromptTemplateVersionID: &tmpl.SelectedVersionID, DatasetID: &ds.ID})
	if !errors.Is(err, galileo.ErrConflict) {
		t.Errorf("second prompt run: err = %v, want a conflict", err)
	}

	// Function flow: the client logs traces, the server scores them.
	fn, err := c.Experiments.New(galileo.ExperimentSpec{Name: "function-run", ProjectID: proj.ID, DatasetID: ds.ID,
		Metrics: []string{"Correctness"}, RunMode: galileo.RunByClient}).Create(ctx)
	if err != nil {
		t.Fatalf("create function experiment: %v", err)
	}
	settings, err := c.Scorers.GetRunSettings(ctx, proj.ID, fn.ID())
	if err != nil || len(settings.Scorers) != 1 {
		t.Fatalf("scorer settings = %+v, %v; want the correctness scorer registered", settings, err)
	}
	eid := fn.ID()
	var traces []galileo.Span
	now := time.Now().UTC()
	for i, row := range qaRows {
		out := row["output"].(string)
		if i == 3 {
			out = "warm" // one wrong answer
		}
		in, gt := row["input"].(string), row["output"].(string)
		dur := int64(1_000_000 * (i + 1))
		traces = append(traces, galileo.Span{Type: "trace", Name: "function-run", CreatedAt: now, Input: in, Output: out,
			DatasetInput: &in, DatasetOutput: &gt, Spans: []galileo.Span{{Type: "workflow", Name: "answer", CreatedAt: now,
				Input: in, Output: out, Metrics: galileo.Metrics{DurationNs: &dur}}}})
	}
	ing, err := c.Traces.Ingest(ctx, proj.ID, galileo.LogTracesIngestRequest{ExperimentID: &eid, Traces: traces, IsComplete: true})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if ing.TracesCount != len(qaRows) || ing.SpansCount != len(qaRows) {
		t.Errorf("ingest answer = %+v, want %d traces and spans", ing, len(qaRows))
	}
	waitScored(t, ctx, fn, int64(len(qaRows)), "correctness")
	agg, _ = fn.GetMetricAggregate(ctx, "correctness")
	if agg == nil || agg.Avg == nil || *agg.Avg != 0.75 {
		t.Errorf("function-run correctness = %+v, want avg 0.75 (3 of 4 right)", agg)
	}
	if st, _ := fn.Status(ctx); !st.IsComplete {
		t.Errorf("function-run status = %v, want complete once every row is ingested", st)
	}
	// Ranking across the project: the perfect prompt run wins.
	if err := prompt.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if r := prompt.Rank(); r == nil || *r != 1 || !prompt.IsWinner() {
		t.Errorf("prompt-run rank = %v winner %v, want rank 1 and winner", r, prompt.IsWinner())
	}
	if r := fn.Rank(); r == nil || *r != 2 {
		t.Errorf("function-run rank = %v, want 2", r)
	}

	// Tags.
	if err := fn.AddTag(ctx, "env", "ci", "generic"); err != nil {
		t.Fatalf("add tag: %v", err)
	}
	if tags := fn.Tags()["generic"]; len(tags) != 1 || tags[0].Key != "env" || tags[0].Value != "ci" {
		t.Errorf("tags = %+v, want generic env=ci", fn.Tags())
	}

	// Search with a metric filter.
	page, err := fn.GetTraces(ctx, galileo.QueryOptions{Filters: []galileo.Filter{{ColumnID: "metrics/correctness", Operator: "lt", Value: 0.5, Type: "number"}}})
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if len(page.Records) != 1 || page.Records[0].Output != "warm" {
		t.Errorf("traces with correctness < 0.5 = %+v, want the one wrong answer", page.Records)
	}
	if mi := page.Records[0].MetricInfo["correctness"]; mi.StatusType != "success" {
		t.Errorf("metric_info = %+v, want success", page.Records[0].MetricInfo)
	}
	if page.NextStartingToken != nil {
		t.Errorf("next_starting_token = %d, want null on the last page", *page.NextStartingToken)
	}

	// Export, line by line.
	n := 0
	for rec, err := range fn.ExportRecords(ctx, galileo.ExportOptions{}) {
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		if rec["id"] == nil || rec["metrics"] == nil {
			t.Errorf("exported record lacks id or metrics: %v", rec)
		}
		n++
	}
	if n != len(qaRows) {
		t.Errorf("exported %d records, want %d", n, len(qaRows))
	}

	// Columns: one metric column per scorer used in the project.
	cols, err := fn.ExperimentColumns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	col := cols.ByLabel("Correctness")
	if col == nil || !strings.HasPrefix(col.ID, "metrics/") || col.MetricKeyAlias == nil || *col.MetricKeyAlias != "correctness" {
		t.Errorf("Correctness column = %+v, want metrics/<uuid> with metric_key_alias correctness", col)
	}

	// Delete.
	if err := fn.Delete(ctx); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.Experiments.Get(ctx, proj.ID, eid); !errors.Is(err, galileo.ErrNotFound) {
		t.Errorf("get after delete: err = %v, want not found", err)
	}
}
