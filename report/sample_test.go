package report

import (
	"bytes"
	"flag"
	"github.com/galileo-community/galileo-go/galileo"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/assert"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden/")

// golden compares got with testdata/golden/name, or rewrites the file with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update to accept it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func fp(v float64) *float64 { return &v }
func ip(v int64) *int64     { return &v }

// evaluated parses and evaluates a threshold the way the harness does and
// records it.
func evaluated(t testing.TB, m Metric, expr string) Threshold {
	t.Helper()
	th, err := assert.Parse(m.Name, expr)
	if err != nil {
		t.Fatalf("parse %s %q: %v", m.Name, expr, err)
	}
	return NewThreshold(th.Evaluate(&m))
}

// declaredAt sets the fixture line of a threshold.
func declaredAt(line int, th Threshold) Threshold {
	th.Line = line
	return th
}

// sampleReport is a fixed run of four experiments: one passed, one failed
// (correctness, latency and cost missed), one timed out and one could not
// be set up.
func sampleReport(t testing.TB) *Report {
	t.Helper()
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

	correct := Metric{Name: "correctness", Key: "9f3c2b1e-5d4a-4c7b-8e6f-0a1b2c3d4e5f", Label: "Correctness", MetricAggregates: galileo.MetricAggregates{Avg: fp(0.97), Min: fp(0.8), Max: fp(1), Sum: fp(9.7), P50: fp(1), P90: fp(1), P95: fp(1), P99: fp(1), Count: ip(10)}, RowValues: []float64{1, 1, 1, 0.9, 1, 0.8, 1, 1, 1, 1}}
	latency := Metric{Name: "latency", Key: "duration_ns", MetricAggregates: galileo.MetricAggregates{Avg: fp(0.84e9), Min: fp(0.41e9), Max: fp(1.31e9), Sum: fp(8.4e9), P50: fp(0.8e9), P90: fp(1.15e9), P95: fp(1.2e9), P99: fp(1.29e9), Count: ip(10)}, RowValues: []float64{0.41e9, 0.55e9, 0.62e9, 0.7e9, 0.8e9, 0.81e9, 0.9e9, 1.0e9, 1.1e9, 1.31e9}}
	cost := Metric{Name: "cost", Key: "cost", MetricAggregates: galileo.MetricAggregates{Avg: fp(0.031), Sum: fp(0.31), Min: fp(0.02), Max: fp(0.05), Count: ip(10)}}

	fCorrect := Metric{Name: "correctness", Key: "9f3c2b1e-5d4a-4c7b-8e6f-0a1b2c3d4e5f", Label: "Correctness", MetricAggregates: galileo.MetricAggregates{Avg: fp(0.82), Min: fp(0), Max: fp(1), P50: fp(1), Count: ip(20), ValueDistribution: map[string]int64{"0": 3, "0.5": 2, "1": 15}}}
	fLatency := Metric{Name: "latency", Key: "duration_ns", MetricAggregates: galileo.MetricAggregates{Avg: fp(1.6e9), P95: fp(2.4e9), Max: fp(3.1e9), Count: ip(20)}}
	fCost := Metric{Name: "cost", Key: "cost", MetricAggregates: galileo.MetricAggregates{Sum: fp(0.62), Count: ip(20)}}
	tone := Metric{Name: "tone", Key: "tone", Label: "Tone", MetricAggregates: galileo.MetricAggregates{Count: ip(20), ValueDistribution: map[string]int64{"yes": 19, "no": 1}}}

	timeoutCorrect := Metric{Name: "correctness", Key: "9f3c2b1e-5d4a-4c7b-8e6f-0a1b2c3d4e5f", Label: "Correctness", MetricAggregates: galileo.MetricAggregates{Count: ip(7)}}

	return &Report{
		SchemaVersion: SchemaVersion,
		StartedAt:     start,
		FinishedAt:    start.Add(5*time.Minute + 30*time.Second),
		Backend:       BackendEmulator,
		Experiments: []Experiment{
			{
				Name: "support-bot", RunName: "support-bot-20250601T120000Z-a1b2",
				ID: "e0000000-0000-4000-8000-000000000001", ProjectID: "p0000000-0000-4000-8000-000000000001", Project: "acme-support",
				Link: "https://console.acme.example/project/p0000000-0000-4000-8000-000000000001/experiments/e0000000-0000-4000-8000-000000000001",
				File: "testdata/evals/support-bot.yaml", Line: 1, Kind: KindFunction,
				Rows: 10, ScoredRows: 10, DurationMS: 42310, Status: StatusPassed,
				Metrics: []Metric{correct, latency, cost},
				Thresholds: []Threshold{
					declaredAt(7, evaluated(t, correct, "avg >= 0.95")),
					declaredAt(8, evaluated(t, latency, "p95 <= 2s")),
					declaredAt(9, evaluated(t, cost, "sum <= $0.50")),
				},
			},
			{
				Name: "summariser", RunName: "summariser-20250601T120000Z-c3d4",
				ID: "e0000000-0000-4000-8000-000000000002", ProjectID: "p0000000-0000-4000-8000-000000000001", Project: "acme-support",
				Link: "https://console.acme.example/project/p0000000-0000-4000-8000-000000000001/experiments/e0000000-0000-4000-8000-000000000002",
				File: "testdata/evals/summariser.yaml", Line: 1, Kind: KindPrompt,
				Rows: 20, ScoredRows: 20, ErroredRows: 1, DurationMS: 95120, Status: StatusFailed,
				Metrics: []Metric{fCorrect, fLatency, fCost, tone},
				Thresholds: []Threshold{
					declaredAt(10, evaluated(t, fCorrect, "avg >= 0.9")),
					declaredAt(11, evaluated(t, fCorrect, "0.8 <= p50 <= 1")),
					declaredAt(12, evaluated(t, fLatency, "p95 <= 2s")),
					declaredAt(13, evaluated(t, fCost, "sum <= $0.50")),
					evaluated(t, tone, "rate(yes) >= 90%"), // checked in Go: no line
				},
			},
			{
				Name: "rag-answers", RunName: "rag-answers-20250601T120000Z-e5f6",
				ID: "e0000000-0000-4000-8000-000000000003", ProjectID: "p0000000-0000-4000-8000-000000000001", Project: "acme-support",
				Link: "https://console.acme.example/project/p0000000-0000-4000-8000-000000000001/experiments/e0000000-0000-4000-8000-000000000003",
				File: "testdata/evals/rag.yaml", Line: 1, Kind: KindFunction,
				Rows: 10, ScoredRows: 7, DurationMS: 600000, Status: StatusTimeout,
				Error:      "timed out after 10m0s waiting for scores\nlast state: correctness scored for 7 of 10 rows",
				Metrics:    []Metric{timeoutCorrect},
				Thresholds: []Threshold{declaredAt(6, evaluated(t, timeoutCorrect, "avg >= 0.9"))},
			},
			{
				Name: "classifier | v2 <b>", File: "testdata/evals/classifier.yaml", Line: 3, Kind: KindPrompt,
				DurationMS: 120, Status: StatusError,
				Error: `dataset "support-qa" not found in project "acme-support" (known: qa-v1 | qa-v2)`,
			},
		},
	}
}
