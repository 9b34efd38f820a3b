package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileotest"
	"github.com/galileo-community/galileo-go/internal/jssdk"
	"github.com/galileo-community/galileo-go/report"
)

// sideBySideDelay is the time the function under test takes per row.
const sideBySideDelay = 20 * time.Millisecond

// sideBySideScript runs the official JavaScript SDK's runExperiment over
// ROWS rows with a function that takes DELAY_MS per row, then polls the
// experiment until every row is scored for correctness, as a user waiting
// for a verdict would, and prints {"wall_ms", "avg"}.
const sideBySideScript = jssdk.Helpers + `
const rows = Number(process.env.ROWS), delay = Number(process.env.DELAY_MS);
(async () => {
  const start = Date.now();
  const content = [];
  for (let i = 0; i < rows; i++) content.push({ input: { question: 'q' + i }, output: 'a' + i });
  await g.createDataset({ name: 'bench-ds', content: content, projectName: 'bench' });
  const run = await g.runExperiment({ name: 'bench', datasetName: 'bench-ds', projectName: 'bench', metrics: ['correctness'],
    function: async (input) => { await sleep(delay); return 'a' + input.question.slice(1); } });
  const deadline = Date.now() + 600000;
  for (;;) {
    const e = await g.getExperiment({ id: run.experiment.id, projectName: 'bench' });
    const sam = field(e, 'structured_aggregate_metrics') || {};
    const agg = Object.values(sam).find((a) => field(a, 'count') === rows && field(a, 'avg') !== undefined);
    if (agg) { console.log(JSON.stringify({ wall_ms: Date.now() - start, avg: field(agg, 'avg') })); return; }
    if (Date.now() > deadline) throw new Error('not scored in time: ' + JSON.stringify(sam));
    await sleep(100);
  }
})().catch((e) => { console.error(e); process.exit(1); });
`

// countingEmulator starts an emulator that counts the requests it serves.
func countingEmulator(b *testing.B) (*emulator.Server, *atomic.Int64) {
	var n atomic.Int64
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			next.ServeHTTP(w, r)
		})
	}
	return emulator.NewTest(b, emulator.Options{ScoringDelay: time.Millisecond, Middleware: count}), &n
}

// BenchmarkSideBySide runs the same experiment, a 20 ms function over 100,
// 400 and 1,000 rows scored for correctness, with the official JavaScript
// SDK's runExperiment (npm package galileo, the version the conformance
// test pins) and with this module's Go harness (galileotest, a function
// experiment), each against its own emulator with the same options. It
// reports, per side, the wall time from the first call to the verdict
// (the JS side polls the experiment until every row is scored), rows per
// second and the requests the emulator served, and the ratios js/go.
// It skips without node and npm.
//
//	go test -run '^$' -bench BenchmarkSideBySide -benchtime 1x ./emulator/
func BenchmarkSideBySide(b *testing.B) {
	sdk, err := jssdk.Ensure(b.Context())
	if errors.Is(err, jssdk.ErrNoNode) {
		b.Skipf("skipped: %v", err)
	} else if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	script := filepath.Join(dir, "bench.js")
	if err := os.WriteFile(script, []byte(sideBySideScript), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, rows := range []int{100, 400, 1000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			var js, golang sideResult
			for range b.N {
				js = runJSSide(b, sdk, dir, script, rows)
				golang = runGoSide(b, rows)
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(js.wall.Seconds(), "js-s")
			b.ReportMetric(golang.wall.Seconds(), "go-s")
			b.ReportMetric(float64(rows)/js.wall.Seconds(), "js-rows/s")
			b.ReportMetric(float64(rows)/golang.wall.Seconds(), "go-rows/s")
			b.ReportMetric(float64(js.requests), "js-requests")
			b.ReportMetric(float64(golang.requests), "go-requests")
			b.ReportMetric(js.wall.Seconds()/golang.wall.Seconds(), "time-js/go")
			b.ReportMetric(float64(js.requests)/float64(golang.requests), "requests-js/go")
		})
	}
}

// sideResult is one side's run.
type sideResult struct {
	wall     time.Duration
	requests int64
}

func runJSSide(b *testing.B, sdk jssdk.SDK, dir, script string, rows int) sideResult {
	emu, requests := countingEmulator(b)
	ctx, cancel := context.WithTimeout(b.Context(), 15*time.Minute)
	defer cancel()
	cmd := sdk.Command(ctx, dir, script, "GALILEO_API_URL="+emu.URL(), "GALILEO_API_KEY="+emu.APIKey(),
		"GALILEO_CONSOLE_URL=", "GALILEO_PROJECT=", "GALILEO_PROJECT_ID=", "GALILEO_LOG_STREAM=",
		fmt.Sprintf("ROWS=%d", rows), fmt.Sprintf("DELAY_MS=%d", sideBySideDelay.Milliseconds()))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("JS side, %d rows: %v\n%s", rows, err, stderr.String())
	}
	var out struct {
		WallMS float64 `json:"wall_ms"`
		Avg    float64 `json:"avg"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out); err != nil {
		b.Fatalf("JS side, %d rows: %v in %q", rows, err, stdout.String())
	}
	if out.Avg != 1 {
		b.Fatalf("JS side, %d rows: average correctness %g, want 1", rows, out.Avg)
	}
	return sideResult{wall: time.Duration(out.WallMS * float64(time.Millisecond)), requests: requests.Load()}
}

func runGoSide(b *testing.B, rows int) sideResult {
	emu, requests := countingEmulator(b)
	c, err := emu.Client()
	if err != nil {
		b.Fatal(err)
	}
	answer := func(ctx context.Context, row galileotest.Row) (string, error) {
		select {
		case <-time.After(sideBySideDelay):
		case <-ctx.Done():
			return "", ctx.Err()
		}
		return "a" + row.Input[1:], nil
	}
	r, err := galileotest.NewRunner(galileotest.WithClient(c), galileotest.WithLookupEnv(func(string) (string, bool) { return "", false }),
		galileotest.WithFunc("answer", answer))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	data := make([]galileotest.Row, rows)
	for i := range data {
		data[i] = galileotest.Row{Input: fmt.Sprintf("q%d", i), GroundTruth: fmt.Sprintf("a%d", i)}
	}
	start := time.Now()
	rep, err := r.Run(b.Context(), galileotest.Experiment{Name: "bench", Project: "bench", Dataset: galileotest.DatasetRows(data...),
		Function: "answer", Metrics: []string{"correctness"}, Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg == 1"}},
		Timeout: 10 * time.Minute})
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("Go side, %d rows: %v", rows, err)
	}
	if rep.Status != report.StatusPassed {
		b.Fatalf("Go side, %d rows: %s: %v", rows, rep.Status, rep.Failures())
	}
	return sideResult{wall: wall, requests: requests.Load()}
}
