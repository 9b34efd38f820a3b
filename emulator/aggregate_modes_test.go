package emulator

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

// functionRun creates a function experiment scored for correctness over
// the qa dataset and returns the client, project id and experiment.
func functionRun(t *testing.T, ctx context.Context, s *Server) (*galileo.Client, string, *galileo.Experiment) {
	t.Helper()
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	return functionRunWith(t, ctx, c)
}

// functionRunWith is functionRun through client c.
func functionRunWith(t *testing.T, ctx context.Context, c *galileo.Client) (*galileo.Client, string, *galileo.Experiment) {
	t.Helper()
	proj, err := c.Projects.Create(ctx, "modes")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := c.Datasets.Create(ctx, "qa", qaRows, &galileo.DatasetCreateOptions{ProjectID: proj.ID})
	if err != nil {
		t.Fatal(err)
	}
	e, err := c.Experiments.New(galileo.ExperimentSpec{Name: "fn", ProjectID: proj.ID, DatasetID: ds.ID, Metrics: []string{"correctness"}, RunMode: galileo.RunByClient}).Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c, proj.ID, e
}

// ingestRows logs complete traces for qaRows[from:to], answering right.
func ingestRows(t *testing.T, ctx context.Context, c *galileo.Client, projectID, eid string, from, to int) {
	t.Helper()
	var traces []galileo.Span
	now := time.Now().UTC()
	for _, row := range qaRows[from:to] {
		in, out := row["input"].(string), row["output"].(string)
		traces = append(traces, galileo.Span{Type: "trace", Name: "fn", CreatedAt: now, Input: in, Output: out, DatasetInput: &in, DatasetOutput: &out})
	}
	if _, err := c.Traces.Ingest(ctx, projectID, galileo.LogTracesIngestRequest{ExperimentID: &eid, Traces: traces, IsComplete: true}); err != nil {
		t.Fatal(err)
	}
}

// waitRecordsScored waits until n records of the experiment carry a
// correctness result in metric_info.
func waitRecordsScored(t *testing.T, ctx context.Context, c *galileo.Client, projectID, eid string, n int) {
	t.Helper()
	poll(t, ctx, 5*time.Millisecond, func() (bool, string, error) {
		scored := 0
		for rec, err := range c.Records.All(ctx, projectID, galileo.RecordTrace, galileo.LogRecordsQueryRequest{ExperimentID: &eid, Limit: 100, Filters: []galileo.Filter{}}) {
			if err != nil {
				return false, "", err
			}
			if mi, ok := rec.MetricInfo["correctness"]; ok && mi.StatusType == "success" {
				scored++
			}
		}
		return scored >= n, fmt.Sprintf("%d of %d records scored", scored, n), nil
	})
}

func TestAggregateModes_StructuredAggregatesOff(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := newTestServer(t, Options{DisableStructuredAggregates: true})
	c, pid, e := functionRun(t, ctx, s)
	ingestRows(t, ctx, c, pid, e.ID(), 0, len(qaRows))
	waitRecordsScored(t, ctx, c, pid, e.ID(), len(qaRows))
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}

	api := newAPI(t, s)
	base := "/projects/" + pid + "/experiments"
	check := func(where string, exp map[string]any) {
		t.Helper()
		v, present := exp["structured_aggregate_metrics"]
		if !present || v != nil {
			t.Errorf("%s: structured_aggregate_metrics = %v (present %t), want null", where, v, present)
		}
		if legacy, _ := exp["aggregate_metrics"].(map[string]any); legacy["average_correctness"] != 1.0 {
			t.Errorf("%s: aggregate_metrics = %v, want the legacy average_correctness 1", where, exp["aggregate_metrics"])
		}
	}
	check("GET", api.ok(http.StatusOK, "GET", base+"/"+e.ID(), nil).json(t))
	var list []map[string]any
	api.ok(http.StatusOK, "GET", base, nil).decode(t, &list)
	var paginated, searched struct {
		Experiments []map[string]any `json:"experiments"`
	}
	api.ok(http.StatusOK, "GET", base+"/paginated", nil).decode(t, &paginated)
	api.ok(http.StatusOK, "POST", base+"/search", map[string]any{}).decode(t, &searched)
	for where, exps := range map[string][]map[string]any{"list": list, "paginated": paginated.Experiments, "search": searched.Experiments} {
		if len(exps) != 1 {
			t.Fatalf("%s: %d experiments, want 1", where, len(exps))
		}
		for _, x := range exps {
			check(where, x)
		}
	}
	// The Go client reads it as no aggregates.
	if err := e.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if agg, err := e.GetMetricAggregate(ctx, "correctness"); err != nil || agg != nil {
		t.Errorf("GetMetricAggregate = %+v, %v; want nil", agg, err)
	}
}

func TestAggregateModes_PublishAtCompletion(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := newTestServer(t, Options{PublishAggregates: PublishAtCompletion})
	c, pid, e := functionRun(t, ctx, s)
	api := newAPI(t, s)
	path := "/projects/" + pid + "/experiments/" + e.ID()

	// Half the rows, all scored: the run is not complete, nothing is published.
	ingestRows(t, ctx, c, pid, e.ID(), 0, 2)
	waitRecordsScored(t, ctx, c, pid, e.ID(), 2)
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	got := api.ok(http.StatusOK, "GET", path, nil).json(t)
	if got["structured_aggregate_metrics"] != nil || len(got["aggregate_metrics"].(map[string]any)) != 0 {
		t.Errorf("half the rows: structured %v, legacy %v; want null and {}", got["structured_aggregate_metrics"], got["aggregate_metrics"])
	}

	// The rest: every aggregate appears at once with every row.
	ingestRows(t, ctx, c, pid, e.ID(), 2, len(qaRows))
	waitRecordsScored(t, ctx, c, pid, e.ID(), len(qaRows))
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	var resp galileo.ExperimentResponse
	api.ok(http.StatusOK, "GET", path, nil).decode(t, &resp)
	for key, a := range resp.StructuredAggregateMetrics {
		if a.Count == nil || *a.Count != int64(len(qaRows)) {
			t.Errorf("structured_aggregate_metrics[%s].count = %v, want %d", key, a.Count, len(qaRows))
		}
	}
	if len(resp.StructuredAggregateMetrics) < 3 || resp.AggregateMetrics["total_responses"] != float64(len(qaRows)) {
		t.Errorf("complete run: structured %v, legacy %v; want correctness, cost and duration over %d rows", resp.StructuredAggregateMetrics, resp.AggregateMetrics, len(qaRows))
	}

	if _, err := NewUnstarted(Options{PublishAggregates: "sometimes"}); err == nil {
		t.Error(`NewUnstarted accepted PublishAggregates "sometimes"`)
	}
	if p, err := ParsePublishAggregates(" At-Completion "); err != nil || p != PublishAtCompletion {
		t.Errorf("ParsePublishAggregates = %q, %v", p, err)
	}
}
