package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

// recomputed is the aggregation from scratch over every scored trace: what
// the emulator computed after each row before aggregation was incremental.
func recomputed(s *Server, e *experimentRec) map[string]galileo.MetricAggregates {
	out := map[string]galileo.MetricAggregates{}
	var costs, durs, tokIn, tokOut, tokTotal []float64
	rows := 0
	for _, t := range s.st.runTraces[e.ID] {
		if t.score == nil {
			continue
		}
		rows++
		costs = append(costs, t.score.cost)
		durs = append(durs, float64(t.score.durationNs))
		if t.score.tokens.known {
			tokIn = append(tokIn, float64(t.score.tokens.input))
			tokOut = append(tokOut, float64(t.score.tokens.output))
			tokTotal = append(tokTotal, float64(t.score.tokens.total))
		}
	}
	for _, cfg := range e.Scorers {
		sc, _ := s.scorerFor(cfg)
		var vals []float64
		terminal := 0
		for _, t := range s.st.runTraces[e.ID] {
			if t.score == nil {
				continue
			}
			if v, ok := t.score.vals[sc.ID]; ok {
				terminal++
				if v.status == "success" {
					vals = append(vals, v.value)
				}
			}
		}
		if terminal > 0 {
			out[sc.ID] = sc.Aggregate(vals)
		}
	}
	if rows > 0 {
		out[scoring.CostKey] = scoring.Aggregate(costs, scoring.Numeric)
		out[scoring.DurationKey] = scoring.Aggregate(durs, scoring.Numeric)
	}
	if len(tokIn) > 0 {
		out[inputTokensKey] = scoring.Aggregate(tokIn, scoring.Numeric)
		out[outputTokensKey] = scoring.Aggregate(tokOut, scoring.Numeric)
		out[totalTokensKey] = scoring.Aggregate(tokTotal, scoring.Numeric)
	}
	return out
}

// TestAggregates_incrementalEqualsRecomputed scores rows in batches, reads
// the aggregates between batches (so the sorted caches merge new values
// into old ones), replaces scored traces (so the accumulators are rebuilt)
// and checks every read against the aggregation from scratch.
func TestAggregates_incrementalEqualsRecomputed(t *testing.T) {
	s := newTestServer(t, Options{ScoringDelay: -1})
	a := newAPI(t, s)
	f := seed(t, s, qaRows)
	var scorers []map[string]any
	for _, key := range []string{"correctness", "bleu", "output_pii", "input_tone_gpt"} {
		sc, ok := s.scorerByKey(key)
		if !ok {
			t.Fatalf("no scorer %s", key)
		}
		scorers = append(scorers, map[string]any{"id": sc.ID, "scorer_type": "preset"})
	}
	eid := a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/experiments", map[string]any{"name": "inc", "scorers": scorers}).json(t)["id"].(string)
	outputs := []string{"4", "I don't know", "Call me at 555-123-4567", "four", "Paris is the capital of France", ""}
	check := func(step string) {
		t.Helper()
		waitIdle(t, s)
		got := a.ok(http.StatusOK, "GET", "/projects/"+f.pid+"/experiments/"+eid, nil)
		var resp galileo.ExperimentResponse
		got.decode(t, &resp)
		s.mu.RLock()
		want := recomputed(s, s.st.Experiments[eid])
		s.mu.RUnlock()
		for k, w := range want {
			if g := resp.StructuredAggregateMetrics[k]; !reflect.DeepEqual(g, w) {
				t.Errorf("%s: %s = %s, recomputed %s", step, k, mustJSON(g), mustJSON(w))
			}
		}
		if len(resp.StructuredAggregateMetrics) != len(want) {
			t.Errorf("%s: %d aggregates, recomputed %d", step, len(resp.StructuredAggregateMetrics), len(want))
		}
	}
	for batch := 0; batch < 4; batch++ {
		var traces []any
		for i := 0; i < 25; i++ {
			n := batch*25 + i
			out := outputs[(n*7)%len(outputs)]
			traces = append(traces, map[string]any{"type": "trace", "name": "row", "input": fmt.Sprintf("What is %d+%d?", n, n), "output": out,
				"dataset_input": "What is 2+2?", "dataset_output": "4", "created_at": "2026-07-30T18:40:01.123456Z",
				"metrics": map[string]any{"duration_ns": 1000 * (100 - n)},
				"spans": []map[string]any{{"type": "llm", "name": "m", "input": []map[string]any{{"role": "user", "content": "q"}}, "output": map[string]any{"role": "assistant", "content": out},
					"model": "gpt-4o", "created_at": "2026-07-30T18:40:01.123456Z", "metrics": map[string]any{"num_input_tokens": n, "num_output_tokens": 3}}}})
		}
		a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/traces", map[string]any{"experiment_id": eid, "traces": traces})
		check(fmt.Sprintf("batch %d", batch))
	}
	// Replace scored traces by versions with other outputs and durations,
	// as a trace update does: their old scores leave the aggregates.
	s.mu.Lock()
	for _, old := range s.st.runTraces[eid][:10] {
		n := cloneTree(old)
		n.Output = "replaced"
		n.Metrics["duration_ns"] = 7
		s.storeTrace(n)
	}
	s.mu.Unlock()
	check("after replacing traces")
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestClient_inMemoryInBubble runs a paced experiment (one row per 20 ms
// tick) on an unstarted server through its in-memory client inside a
// synctest bubble: the waits run on the bubble's clock.
func TestClient_inMemoryInBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := NewUnstarted(Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		c, err := s.Client()
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		start := time.Now()
		_, pid, e := functionRunWith(t, ctx, c)
		ingestRows(t, ctx, c, pid, e.ID(), 0, len(qaRows))
		waitRecordsScored(t, ctx, c, pid, e.ID(), len(qaRows))
		if err := s.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := time.Since(start), time.Duration(len(qaRows))*DefaultScoringDelay; got < want {
			t.Errorf("scoring %d rows took %s of the bubble's time, want at least %s (the pace)", len(qaRows), got, want)
		}
	})
}
