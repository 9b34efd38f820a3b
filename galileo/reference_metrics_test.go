package galileo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

func TestReference_get_metric_aggregate(t *testing.T) {
	// def get_metric_aggregate(self, metric: GalileoMetrics | str) -> MetricAggregates | None
	t.Run("signature", func(t *testing.T) {
		w := newRefWorld(t, false)
		experiment, err := w.c.Experiments.New(galileo.ExperimentSpec{Name: "ml-evaluation", ProjectName: "My Project",
			DatasetName: "trace-dataset", Metrics: []string{"correctness"}}).Create(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		// None while the metric is not computed (nothing cached yet).
		if agg, err := experiment.GetMetricAggregate(w.ctx, galileo.MetricCorrectness); err != nil || agg != nil {
			t.Errorf("before refresh: %+v, %v: want None", agg, err)
		}
		w.settle()
		if err := experiment.Refresh(w.ctx); err != nil {
			t.Fatal(err)
		}
		cols, err := experiment.ExperimentColumns(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		col := cols.ByLabel("Correctness")
		if col == nil || !strings.HasPrefix(col.ID, "metrics/") {
			t.Fatalf("no Correctness metric column in %v", cols.IDs())
		}
		// 1. GalileoMetrics member, 2. scorer UUID (the column id without
		// "metrics/"), 3. label, 4. legacy metric_key_alias.
		for _, metric := range []string{galileo.MetricCorrectness, strings.TrimPrefix(col.ID, "metrics/"), "Correctness", "correctness"} {
			agg, err := experiment.GetMetricAggregate(w.ctx, metric)
			if err != nil || agg == nil || agg.Avg == nil || agg.Count == nil || *agg.Count != int64(len(refRows)) {
				t.Errorf("get_metric_aggregate(%q) = %+v, %v: want the aggregate over %d rows", metric, agg, err, len(refRows))
			}
		}
		if _, err := experiment.GetMetricAggregate(w.ctx, "corectness"); !errors.Is(err, galileo.ErrUnknownMetric) {
			t.Errorf("get_metric_aggregate(corectness): %v, want ErrUnknownMetric", err)
		}
	})

	// Poll until a specific metric is computed, then assert::
	//     while experiment.get_metric_aggregate(GalileoMetrics.correctness) is None:
	//         time.sleep(5)
	//         experiment.refresh()
	//     agg = experiment.get_metric_aggregate(GalileoMetrics.correctness)
	//     assert agg.avg >= 0.95
	// In Go the loop is WaitForMetrics, which also waits for every row: a
	// non-None aggregate may count only the rows scored so far.
	t.Run("example", func(t *testing.T) {
		w := newRefWorld(t, false)
		pid := w.projectIDs["My Project"]
		var rows []map[string]any
		for _, r := range refRows {
			rows = append(rows, map[string]any{"input": r["input"], "output": r["output"], "generated_output": r["output"]})
		}
		if _, err := w.srv.CreateDataset(pid, "answers", rows); err != nil {
			t.Fatal(err)
		}
		experiment, err := w.c.Experiments.New(galileo.ExperimentSpec{Name: "answers-eval", ProjectName: "My Project",
			DatasetName: "answers", Metrics: []string{"correctness"}}).Create(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(w.ctx, 30*time.Second)
		defer cancel()
		if _, err := experiment.WaitForMetrics(ctx, nil, galileo.MetricCorrectness); err != nil {
			t.Fatal(err)
		}
		agg, err := experiment.GetMetricAggregate(ctx, galileo.MetricCorrectness)
		if err != nil || agg == nil || agg.Avg == nil {
			t.Fatalf("after the wait: %+v, %v", agg, err)
		}
		if *agg.Avg < 0.95 || *agg.Count != int64(len(rows)) {
			t.Errorf("agg.avg = %v over %d rows: want >= 0.95 over %d", *agg.Avg, *agg.Count, len(rows))
		}
	})
}
