package emulator

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// ingestFixture makes an experiment with the correctness scorer and
// ingests n traces (one workflow and one llm span each).
func ingestFixture(t *testing.T, s *Server, a *apiClient, n int) (pid, eid string, ids []string) {
	t.Helper()
	f := seed(t, s, qaRows)
	eid = a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/experiments", map[string]any{"name": "fn",
		"dataset": map[string]any{"dataset_id": f.did, "version_index": 0}}).json(t)["id"].(string)
	a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/runs/"+eid+"/scorer-settings", map[string]any{"run_id": eid,
		"scorers": []map[string]any{{"id": correctnessID(t), "name": "correctness", "scorer_type": "preset"}}})
	base := time.Date(2026, 7, 30, 12, 0, 0, 0, time.UTC)
	var traces []map[string]any
	for i := 0; i < n; i++ {
		id := s.newID()
		ids = append(ids, id)
		out := "4"
		if i%2 == 1 {
			out = "5"
		}
		traces = append(traces, map[string]any{"type": "trace", "id": id, "name": fmt.Sprintf("row-%d", i),
			"created_at": base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339Nano),
			"input":      "What is 2+2?", "output": out, "dataset_input": "What is 2+2?", "dataset_output": "4",
			"user_metadata": map[string]any{"idx": fmt.Sprint(i)}, "tags": []string{"t" + fmt.Sprint(i%2)},
			"metrics": map[string]any{"duration_ns": nil},
			"spans": []map[string]any{{"type": "workflow", "name": "fn", "input": "q", "output": out, "metrics": map[string]any{"duration_ns": 1000 * (i + 1)},
				"spans": []map[string]any{{"type": "llm", "name": "chat", "input": []map[string]any{{"role": "user", "content": "q"}},
					"output": map[string]any{"role": "assistant", "content": out}, "model": "gpt-4o-mini",
					"metrics": map[string]any{"duration_ns": 500, "num_input_tokens": 10, "num_output_tokens": 2, "num_total_tokens": 12}}}}}})
	}
	r := a.ok(http.StatusOK, "POST", "/projects/"+f.pid+"/traces", map[string]any{"experiment_id": eid, "log_stream_id": nil,
		"reliable": true, "traces": traces})
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("ingest Content-Type = %q, want application/json", ct)
	}
	got := r.json(t)
	if got["project_name"] != "proj" || got["traces_count"] != float64(n) || got["spans_count"] != float64(2*n) || got["records_count"] != float64(3*n) {
		t.Errorf("ingest answer = %v", got)
	}
	waitIdle(t, s)
	return f.pid, eid, ids
}

func TestTraces_IngestIsIdempotent(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	pid, eid, ids := ingestFixture(t, s, a, 2)
	again := map[string]any{"experiment_id": eid, "traces": []map[string]any{
		{"type": "trace", "id": ids[0], "input": "dup", "output": "dup"},
		{"type": "trace", "id": ids[0], "input": "dup", "output": "dup"},
	}, "include_trace_ids": true}
	r := a.ok(http.StatusOK, "POST", "/v2/projects/"+pid+"/traces", again).json(t)
	if ids := r["trace_ids"].([]any); len(ids) != 2 {
		t.Errorf("trace_ids = %v, want the two ids of the request", ids)
	}
	if n := len(s.Traces(eid)); n != 2 {
		t.Errorf("%d traces stored, want 2 (duplicates are stored once)", n)
	}
	if out := s.Traces(eid)[0].Output; out != "4" {
		t.Errorf("first trace output = %v, want the original (a duplicate does not overwrite)", out)
	}
	cases := []struct {
		name string
		body map[string]any
		want int
	}{
		{"no target", map[string]any{"traces": []any{}}, 422},
		{"both targets", map[string]any{"experiment_id": eid, "log_stream_id": eid, "traces": []any{}}, 422},
		{"unknown experiment", map[string]any{"experiment_id": "8b0d7c1e-1a51-4d0c-9a53-2f5ad6f9b0a1", "traces": []any{}}, 404},
		{"missing traces", map[string]any{"experiment_id": eid}, 422},
		{"span type at the top", map[string]any{"experiment_id": eid, "traces": []map[string]any{{"type": "llm"}}}, 422},
	}
	for _, tc := range cases {
		if r := a.do("POST", "/projects/"+pid+"/traces", tc.body, invalidRequestHeader, "1"); r.status != tc.want {
			t.Errorf("%s: status %d (%s), want %d", tc.name, r.status, r.body, tc.want)
		}
	}
}

func TestTraces_SearchFilters(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	pid, eid, ids := ingestFixture(t, s, a, 4)
	search := func(kind string, body map[string]any) (names []string, next any) {
		t.Helper()
		body["experiment_id"] = eid
		var hdr []string
		if _, lenient := body["lenient"]; lenient {
			// The spec spells the column column_id; the emulator also takes name.
			delete(body, "lenient")
			hdr = []string{invalidRequestHeader, "1"}
		}
		r := a.ok(http.StatusOK, "POST", "/projects/"+pid+"/"+kind+"/search", body, hdr...).json(t)
		for _, rec := range r["records"].([]any) {
			names = append(names, rec.(map[string]any)["name"].(string))
		}
		return names, r["next_starting_token"]
	}
	cases := []struct {
		name string
		body map[string]any
		want string
	}{
		{"default: newest first", map[string]any{}, "row-3,row-2,row-1,row-0"},
		{"text contains", map[string]any{"filters": []map[string]any{{"column_id": "output", "operator": "eq", "value": "5", "type": "text"}}}, "row-3,row-1"},
		{"filter spelled with name", map[string]any{"lenient": true, "filters": []map[string]any{{"name": "name", "operator": "one_of", "value": []string{"row-0", "row-2"}, "type": "text"}}}, "row-2,row-0"},
		{"metric number", map[string]any{"filters": []map[string]any{{"column_id": "metrics/correctness", "operator": "gte", "value": 1, "type": "number"}}}, "row-2,row-0"},
		{"metric by scorer id", map[string]any{"filters": []map[string]any{{"column_id": "metrics/" + correctnessID(t), "operator": "lt", "value": 0.5, "type": "number"}}}, "row-3,row-1"},
		{"date", map[string]any{"filters": []map[string]any{{"column_id": "created_at", "operator": "gt", "value": "2026-07-30T12:01:30Z", "type": "date"}}}, "row-3,row-2"},
		{"boolean", map[string]any{"filters": []map[string]any{{"column_id": "is_complete", "operator": "eq", "value": true, "type": "boolean"}}}, "row-3,row-2,row-1,row-0"},
		{"id", map[string]any{"filters": []map[string]any{{"column_id": "id", "operator": "eq", "value": ids[1], "type": "id"}}}, "row-1"},
		{"user metadata", map[string]any{"filters": []map[string]any{{"column_id": "user_metadata/idx", "operator": "eq", "value": "3", "type": "text"}}}, "row-3"},
		{"sort ascending by name", map[string]any{"sort": map[string]any{"column_id": "name", "ascending": true, "sort_type": "column"}}, "row-0,row-1,row-2,row-3"},
		{"filter tree", map[string]any{"filter_tree": map[string]any{"or": []any{
			map[string]any{"filter": map[string]any{"column_id": "name", "operator": "eq", "value": "row-0", "type": "text"}},
			map[string]any{"not": map[string]any{"filter": map[string]any{"column_id": "output", "operator": "eq", "value": "4", "type": "text"}}}}}}, "row-3,row-1,row-0"},
	}
	for _, tc := range cases {
		if got, _ := search("traces", tc.body); strings.Join(got, ",") != tc.want {
			t.Errorf("%s: got %v, want %s", tc.name, got, tc.want)
		}
	}
	names, next := search("traces", map[string]any{"starting_token": 2, "limit": 2})
	if strings.Join(names, ",") != "row-1,row-0" || next != nil {
		t.Errorf("last page = %v next %v, want row-1,row-0 and null", names, next)
	}
	if _, next := search("traces", map[string]any{"starting_token": 0, "limit": 3}); next != 3.0 {
		t.Errorf("first page next_starting_token = %v, want 3", next)
	}
	if r := a.do("POST", "/projects/"+pid+"/traces/search", map[string]any{"experiment_id": eid,
		"filters": []map[string]any{{"column_id": "bogus", "operator": "eq", "value": "x", "type": "text"}}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown column: status %d, want 422", r.status)
	}
	spans, _ := search("spans", map[string]any{"filters": []map[string]any{{"column_id": "type", "operator": "eq", "value": "llm", "type": "text"}}})
	if len(spans) != 4 {
		t.Errorf("llm spans = %v, want 4", spans)
	}
	sessions, _ := search("sessions", map[string]any{})
	if len(sessions) != 4 {
		t.Errorf("sessions = %v, want one per trace", sessions)
	}
	cnt := a.ok(http.StatusOK, "POST", "/projects/"+pid+"/spans/count", map[string]any{"experiment_id": eid}).json(t)
	if cnt["total_count"] != 8.0 {
		t.Errorf("span count = %v, want 8", cnt)
	}
	rec := a.ok(http.StatusOK, "POST", "/projects/"+pid+"/traces/search", map[string]any{"experiment_id": eid, "limit": 1}).json(t)["records"].([]any)[0].(map[string]any)
	mi := rec["metric_info"].(map[string]any)["correctness"].(map[string]any)
	if mi["status_type"] != "success" || rec["metrics"].(map[string]any)["correctness"] != 0.0 && rec["metrics"].(map[string]any)["correctness"] != 1.0 {
		t.Errorf("record metrics = %v, metric_info = %v", rec["metrics"], mi)
	}
	cols := a.ok(http.StatusOK, "POST", "/projects/"+pid+"/traces/available_columns", map[string]any{"log_stream_id": eid}).json(t)["columns"].([]any)
	found := false
	for _, c := range cols {
		if c.(map[string]any)["id"] == "metrics/correctness" {
			found = true
		}
	}
	if !found {
		t.Errorf("trace columns lack metrics/correctness: %v", cols)
	}
}

func TestTraces_SpansPatchAndGet(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	p, _ := s.CreateProject("logs")
	ls := a.ok(http.StatusOK, "POST", "/projects/"+p.ID+"/log_streams", map[string]string{"name": "default"}).json(t)["id"].(string)
	tid := s.newID()
	a.ok(http.StatusOK, "POST", "/v2/projects/"+p.ID+"/traces", map[string]any{"log_stream_id": ls, "is_complete": false,
		"traces": []map[string]any{{"type": "trace", "id": tid, "input": "hello", "name": "t"}}})
	sid := s.newID()
	a.ok(http.StatusOK, "POST", "/v2/projects/"+p.ID+"/spans", map[string]any{"log_stream_id": ls, "trace_id": tid, "parent_id": tid,
		"spans": []map[string]any{{"type": "tool", "id": sid, "name": "calc", "input": "2+2", "output": "4"}}})
	a.ok(http.StatusOK, "PATCH", "/v2/projects/"+p.ID+"/traces/"+tid, map[string]any{"trace_id": tid, "log_stream_id": ls, "output": "done", "is_complete": true, "duration_ns": 42})
	a.ok(http.StatusOK, "PATCH", "/projects/"+p.ID+"/spans/"+sid, map[string]any{"span_id": sid, "log_stream_id": ls, "output": "four"})
	tr := a.ok(http.StatusOK, "GET", "/projects/"+p.ID+"/traces/"+tid, nil).json(t)
	spans := tr["spans"].([]any)
	if tr["output"] != "done" || tr["is_complete"] != true || len(spans) != 1 || spans[0].(map[string]any)["output"] != "four" {
		t.Errorf("trace after updates = %v", tr)
	}
	sp := a.ok(http.StatusOK, "GET", "/projects/"+p.ID+"/spans/"+sid, nil).json(t)
	if sp["parent_id"] != tid || sp["trace_id"] != tid {
		t.Errorf("span = %v, want parent and trace %s", sp, tid)
	}
	sess := a.ok(http.StatusOK, "GET", "/projects/"+p.ID+"/sessions/"+tid, nil).json(t)
	if sess["type"] != "session" || sess["num_traces"] != 1.0 {
		t.Errorf("session = %v", sess)
	}
	a.ok(http.StatusNotFound, "GET", "/projects/"+p.ID+"/traces/"+sid, nil)
}

func TestExport_Formats(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	pid, eid, _ := ingestFixture(t, s, a, 3)
	export := func(body map[string]any) string {
		body["root_type"] = "trace"
		body["log_stream_id"] = eid
		return string(a.ok(http.StatusOK, "POST", "/projects/"+pid+"/export_records", body).body)
	}
	lines := strings.Split(strings.TrimSpace(export(map[string]any{"export_format": "jsonl"})), "\n")
	if len(lines) != 3 {
		t.Fatalf("jsonl export has %d lines, want 3", len(lines))
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first["name"] != "row-2" {
		t.Errorf("first line = %s (%v), want the newest trace", lines[0], err)
	}
	flat := strings.Split(strings.TrimSpace(export(map[string]any{"export_format": "jsonl_flat", "experiment_id": eid, "log_stream_id": nil})), "\n")
	var f map[string]any
	if err := json.Unmarshal([]byte(flat[0]), &f); err != nil {
		t.Fatalf("jsonl_flat line %q is not JSON: %v", flat[0], err)
	}
	if _, ok := f["metrics_correctness"]; !ok {
		t.Errorf("jsonl_flat line lacks metrics_correctness: %v", f)
	}
	recs, err := csv.NewReader(strings.NewReader(export(map[string]any{"export_format": "csv", "column_ids": []string{"id", "output", "metrics/correctness"}}))).ReadAll()
	if err != nil || len(recs) != 4 || strings.Join(recs[0], ",") != "id,output,metrics/correctness" {
		t.Errorf("csv export = %v (%v), want a header and 3 rows", recs, err)
	}
	if r := a.do("POST", "/projects/"+pid+"/export_records", map[string]any{"root_type": "trace", "experiment_id": eid,
		"export_format": "jsonl_flat", "export_computed_metrics_only": true}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("computed-metrics-only with jsonl_flat: %d, want 422", r.status)
	}
}
