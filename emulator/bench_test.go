package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

// benchServer is a listening emulator without spec validation.
func benchServer(b *testing.B) (*Server, fixture) {
	b.Helper()
	s, err := New(Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s, seed(b, s, qaRows)
}

// BenchmarkIngest posts batches of 128 traces (each with a workflow span)
// over loopback and reports traces/s.
func BenchmarkIngest(b *testing.B) {
	s, f := benchServer(b)
	a := newAPI(b, s)
	eid := a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/experiments", map[string]any{"name": "ingest"}).json(b)["id"].(string)
	const batch = 128
	bodies := make([][]byte, 0, 64)
	for k := 0; k < 64; k++ {
		var traces []map[string]any
		for i := 0; i < batch; i++ {
			traces = append(traces, map[string]any{"type": "trace", "name": "row", "input": `{"input": "What is 2+2?"}`, "output": "4",
				"dataset_input": "What is 2+2?", "dataset_output": "4", "metrics": map[string]any{"duration_ns": nil},
				"created_at": "2026-07-30T18:40:01.123456Z", "user_metadata": map[string]any{}, "tags": []string{},
				"spans": []map[string]any{{"type": "workflow", "name": "fn", "input": "q", "output": "4",
					"created_at": "2026-07-30T18:40:01.123456Z", "metrics": map[string]any{"duration_ns": 1800000}}}})
		}
		body, _ := json.Marshal(map[string]any{"experiment_id": eid, "log_stream_id": nil, "traces": traces, "reliable": false})
		bodies = append(bodies, body)
	}
	url := s.URL() + "/projects/" + f.pid + "/traces"
	hc := &http.Client{}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", url, bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Galileo-API-Key", s.APIKey())
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "traces/s")
}

// BenchmarkAggregate100k scores one more row of an experiment with 100,000
// rows scored by two scorers and reads its aggregates and rank, as a poll
// after each scored row would: the read merges the new values into the
// sorted caches and recomputes every statistic. It reports ms/op.
func BenchmarkAggregate100k(b *testing.B) {
	s, err := NewUnstarted(Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	f := seed(b, s, qaRows)
	bleu, _ := s.scorerByKey("bleu")
	cid := correctnessID(b)
	s.mu.Lock()
	now := s.now()
	e := &experimentRec{ID: s.newID(), ProjectID: f.pid, Name: "big", TaskType: 16, CreatedAt: now, UpdatedAt: now,
		Scorers: []galileo.ScorerConfig{{ID: cid, ScorerType: "preset"}, {ID: bleu.ID, ScorerType: "preset"}}}
	s.st.putExperiment(e)
	rs := s.st.runs[e.ID]
	score := func(i int) {
		t := &node{Type: "trace", ID: s.newID(), ProjectID: f.pid, RunID: e.ID, IsComplete: true, CreatedAt: now}
		s.st.putTrace(t)
		rs.aggs.record(t, traceScore{vals: map[string]scoreVal{
			cid:     {status: "success", value: float64(i%10) / 10},
			bleu.ID: {status: "success", value: float64(i%7) / 7},
		}, cost: 0.0001 * float64(i%5), durationNs: int64(300_000_000 + i%1000)})
		s.scoresChanged(e, rs)
	}
	for i := 0; i < 100_000; i++ {
		score(i)
	}
	s.mu.Unlock()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.mu.Lock()
		score(i)
		s.mu.Unlock()
		s.mu.RLock()
		_ = s.experimentJSON(e, false, false)
		s.mu.RUnlock()
	}
	b.StopTimer()
	if got := *s.publishedAggregates(e, rs).structured[cid].Count; got != int64(100_000+b.N) {
		b.Fatalf("count = %d, want %d", got, 100_000+b.N)
	}
}

// BenchmarkGetExperiment sends GET experiment at a paced 500 requests/s
// over a loopback listener and reports the p99 latency in ms.
func BenchmarkGetExperiment(b *testing.B) {
	s, f := benchServer(b)
	a := newAPI(b, s)
	e := a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/experiments", map[string]any{"name": "get", "trigger": true,
		"dataset": map[string]any{"dataset_id": f.did, "version_index": 0}, "prompt_template_version_id": f.tvid,
		"scorers": []map[string]any{{"id": correctnessID(b), "scorer_type": "preset"}}}).json(b)
	waitIdle(b, s)
	url := s.URL() + "/projects/" + f.pid + "/experiments/" + e["id"].(string)
	hc := &http.Client{}
	const interval = 2 * time.Millisecond // 500 requests/s
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d) // pacing of the load generator
		}
		t0 := time.Now()
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Galileo-API-Key", s.APIKey())
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) float64 {
		return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")

}

// BenchmarkPacedScoring ingests rows traces (in batches of 1,000, as a
// client would) into an experiment with two scorers on an emulator scoring
// one row per 1 ms tick, and waits until every row is scored. It reports
// the wall time against the pacing time (rows × 1 ms) and the process CPU
// time, allocations and bytes per row, which must not grow with rows. Run
// it once per size: -benchtime 1x.
func BenchmarkPacedScoring(b *testing.B) {
	for _, rows := range []int{1_000, 10_000, 50_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				pacedScoring(b, rows)
			}
		})
	}
}

func pacedScoring(b *testing.B, rows int) {
	const pace = time.Millisecond
	b.StopTimer()
	s, err := New(Options{Seed: 1, ScoringDelay: pace})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	f := seed(b, s, qaRows)
	a := newAPI(b, s)
	bleu, _ := s.scorerByKey("bleu")
	eid := a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/experiments", map[string]any{"name": "paced",
		"scorers": []map[string]any{{"id": correctnessID(b), "scorer_type": "preset"}, {"id": bleu.ID, "scorer_type": "preset"}}}).json(b)["id"].(string)
	const batch = 1000
	var bodies [][]byte
	for k := 0; k < rows; k += batch {
		var traces []map[string]any
		for i := k; i < min(rows, k+batch); i++ {
			q := fmt.Sprintf("What is %d+%d?", i, i)
			traces = append(traces, map[string]any{"type": "trace", "name": "row", "input": q, "output": fmt.Sprint(2 * i),
				"dataset_input": q, "dataset_output": fmt.Sprint(2 * i), "created_at": "2026-07-30T18:40:01.123456Z",
				"spans": []map[string]any{{"type": "workflow", "name": "fn", "input": q, "output": fmt.Sprint(2 * i),
					"created_at": "2026-07-30T18:40:01.123456Z", "metrics": map[string]any{"duration_ns": 1800000 + i}}}})
		}
		body, _ := json.Marshal(map[string]any{"experiment_id": eid, "traces": traces})
		bodies = append(bodies, body)
	}
	runtime.GC()
	cpu0, m0 := processCPU(), memStats()
	b.StartTimer()
	start := time.Now()
	for _, body := range bodies {
		a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/traces", json.RawMessage(body))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rows)*pace*3+30*time.Second)
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		b.Fatalf("scoring did not finish: %v", err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cpu, m := processCPU()-cpu0, memStats()
	got := a.ok(http.StatusOK, "GET", "/projects/"+f.pid+"/experiments/"+eid, nil).json(b)
	if n := got["aggregate_metrics"].(map[string]any)["total_responses"]; n != float64(rows) {
		b.Fatalf("total_responses = %v, want %d", n, rows)
	}
	b.ReportMetric(elapsed.Seconds()/(time.Duration(rows)*pace).Seconds(), "x-pacing")
	b.ReportMetric(float64(cpu.Microseconds())/float64(rows), "cpu-µs/row")
	b.ReportMetric(float64(m.Mallocs-m0.Mallocs)/float64(rows), "allocs/row")
	b.ReportMetric(float64(m.TotalAlloc-m0.TotalAlloc)/float64(rows), "B/row")
}

func memStats() runtime.MemStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}
