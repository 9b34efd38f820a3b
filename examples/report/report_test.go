package report

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileotest"
)

func TestReport(t *testing.T) {
	h := galileotest.New(t, galileotest.WithFunc("shout", func(ctx context.Context, row galileotest.Row) (string, error) {
		return row.GroundTruth + "!", nil
	}))
	res := h.Run(galileotest.Experiment{
		Name:    "greetings",
		Project: "galileo-go-examples",
		Dataset: galileotest.DatasetRows(
			galileotest.Row{Input: "Say hello", GroundTruth: "hello"},
			galileotest.Row{Input: "Say goodbye", GroundTruth: "goodbye"},
			galileotest.Row{Input: "Say thanks", GroundTruth: "thanks"},
		),
		Function: "shout",
		Metrics:  []string{"correctness", "bleu"},
		Expect: []fixtures.Expectation{
			{Metric: "correctness", Expr: "avg >= 0.9"},
			{Metric: "bleu", Expr: "avg >= 0.1"},
		},
	})
	// A threshold checked in Go is part of the verdict too: the report
	// records it, and a miss turns the experiment's status to failed.
	res.Check(t, "bleu", "p50 >= 0.1")
	rep := res.Report

	// Per metric: what was scored and the server's aggregates.
	for _, m := range rep.Metrics {
		if m.Avg != nil {
			t.Logf("%-12s %d rows scored, avg %.3f", m.Name, m.Scored, *m.Avg)
		}
	}
	// Per threshold: the verdict, the actual value and an explanation.
	for _, v := range rep.Thresholds {
		t.Logf("%-5v %s", v.Pass, v.Explanation)
	}
	if bleu := rep.Metric("BLEU"); bleu == nil || bleu.Scored != 3 {
		t.Errorf("BLEU = %+v, want 3 rows scored", bleu)
	}

	// A report is plain JSON with stable field names: archive it, diff it
	// against the last run, or feed it to a dashboard.
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "greetings.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Name       string `json:"name"`
		Status     string `json:"status"`
		Thresholds []struct {
			Metric string   `json:"metric"`
			Pass   bool     `json:"pass"`
			Actual *float64 `json:"actual"`
		} `json:"thresholds"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Name != "greetings" || back.Status != "passed" || len(back.Thresholds) != 4 {
		t.Errorf("decoded report: %+v", back)
	}
}
