package emulator

import (
	"net/http"
	"reflect"
	"testing"
)

func TestMetricsSearch(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	pid, eid, _ := ingestFixture(t, s, a, 4) // traces at 12:00..12:03, outputs 4, 5, 4, 5 (correct, wrong, ...)
	path := "/projects/" + pid + "/metrics/search"
	type bucket map[string]any
	type answer struct {
		GroupBy    []string            `json:"group_by_columns"`
		Aggregates map[string]any      `json:"aggregate_metrics"`
		Buckets    map[string][]bucket `json:"bucketed_metrics"`
	}
	query := func(extra map[string]any) answer {
		t.Helper()
		body := map[string]any{"experiment_id": eid, "start_time": "2026-07-30T12:00:00Z", "end_time": "2026-07-30T12:09:00Z"}
		for k, v := range extra {
			body[k] = v
		}
		var out answer
		a.ok(http.StatusOK, "POST", path, body).decode(t, &out)
		return out
	}

	got := query(nil)
	if got.Aggregates["correctness"] != 0.5 || got.Aggregates["duration_ns"] != 2500.0 {
		t.Errorf("aggregate_metrics %v, want correctness 0.5 and duration_ns 2500 over the 4 traces", got.Aggregates)
	}
	b := got.Buckets["correctness"]
	if len(b) != 2 || b[0]["value"] != 0.5 || b[0]["count"] != 4.0 || b[0]["start_bucket_time"] != "2026-07-30T12:00:00Z" ||
		b[1]["value"] != nil || b[1]["end_bucket_time"] != "2026-07-30T12:10:00Z" {
		t.Errorf("correctness buckets %v, want two 5-minute buckets, the first holding the 4 traces at 0.5", b)
	}

	got = query(map[string]any{"filters": []map[string]any{{"column_id": "output", "operator": "eq", "value": "4", "type": "text"}}, "interval": 2})
	if b := got.Buckets["correctness"]; got.Aggregates["correctness"] != 1.0 || len(b) != 5 || b[0]["count"] != 1.0 || b[1]["count"] != 1.0 {
		t.Errorf("filtered on the right answers: %v / %v, want correctness 1 and one trace in each of the first two 2-minute buckets", got.Aggregates, b)
	}

	got = query(map[string]any{"group_by": "output"})
	if want := []string{"4", "5"}; !reflect.DeepEqual(got.GroupBy, want) || got.Buckets["correctness"][0]["4"] != 1.0 || got.Buckets["correctness"][0]["5"] != 0.0 {
		t.Errorf("grouped by output: columns %v, buckets %v, want %v and correctness 1 for 4, 0 for 5", got.GroupBy, got.Buckets["correctness"], want)
	}

	got = query(map[string]any{"start_time": "2026-07-30T13:00:00Z", "end_time": "2026-07-30T13:04:00Z"})
	if len(got.Aggregates) != 0 || len(got.Buckets) != 0 {
		t.Errorf("a window without traces: %+v, want no metrics", got)
	}

	for _, tc := range []struct {
		body map[string]any
		want int
	}{
		{map[string]any{"experiment_id": eid, "end_time": "2026-07-30T12:09:00Z"}, http.StatusUnprocessableEntity},
		{map[string]any{"experiment_id": eid, "start_time": "2026-07-30T12:09:00Z", "end_time": "2026-07-30T12:00:00Z"}, http.StatusUnprocessableEntity},
		{map[string]any{"experiment_id": eid, "start_time": "2026-01-01T00:00:00Z", "end_time": "2026-07-30T12:00:00Z", "interval": 1}, http.StatusUnprocessableEntity},
		{map[string]any{"experiment_id": newUUIDForTest, "start_time": "2026-07-30T12:00:00Z", "end_time": "2026-07-30T12:09:00Z"}, http.StatusNotFound},
	} {
		if r := a.do("POST", path, tc.body, invalidRequestHeader, "1"); r.status != tc.want {
			t.Errorf("POST metrics/search %v: %d %s, want %d", tc.body, r.status, r.body, tc.want)
		}
	}
}
