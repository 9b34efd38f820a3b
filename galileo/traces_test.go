package galileo

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestTracesService_Ingest(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	var got LogTracesIngestRequest
	f.handle("POST /projects/{project_id}/traces", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var raw struct {
			Traces []map[string]any `json:"traces"`
		}
		if err := json.Unmarshal(b, &raw); err != nil || json.Unmarshal(b, &got) != nil {
			t.Errorf("decoding %s: %v", b, err)
			return
		}
		if tr := raw.Traces[0]; tr["tags"] == nil || tr["user_metadata"] == nil || tr["dataset_metadata"] == nil {
			t.Errorf("trace %v: nil collections must be sent as [] and {}", tr)
		}
		serveJSON(w, 200, LogTracesIngestResponse{ProjectID: pid, ProjectName: "p", ExperimentID: &eid, RecordsCount: 2, TracesCount: 1, SpansCount: 1})
	})
	in := LogTracesIngestRequest{ExperimentID: &eid, IsComplete: true, Traces: []Span{{
		Type: "trace", Name: "row 1", CreatedAt: fxTime, Input: "q", Output: "a",
		Spans: []Span{{Type: "workflow", Name: "answer", CreatedAt: fxTime, Input: "q", Output: "a"}},
	}}}
	res, err := f.client().Traces.Ingest(t.Context(), pid, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.TracesCount != 1 {
		t.Errorf("traces_count %d, want 1", res.TracesCount)
	}
	tr := got.Traces[0]
	if !IsID(tr.ID) || !IsID(tr.Spans[0].ID) {
		t.Errorf("ids %q and %q: want generated UUIDs", tr.ID, tr.Spans[0].ID)
	}
	if got.LoggingMethod != "api_direct" {
		t.Errorf("logging_method %q, want api_direct", got.LoggingMethod)
	}
	if in.Traces[0].ID != "" || in.Traces[0].Tags != nil || in.Traces[0].Spans[0].ID != "" {
		t.Error("Ingest changed the caller's request")
	}
}

func TestTracesService_Ingest_invalid(t *testing.T) {
	eid := newID()
	tests := []struct {
		name string
		req  LogTracesIngestRequest
		want string
	}{
		{"no target", LogTracesIngestRequest{Traces: []Span{{Type: "trace"}}}, "exactly one of ExperimentID and LogStreamID"},
		{"both targets", LogTracesIngestRequest{ExperimentID: &eid, LogStreamID: &eid, Traces: []Span{{Type: "trace"}}}, "exactly one"},
		{"no traces", LogTracesIngestRequest{ExperimentID: &eid}, "no traces"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			_, err := f.client().Traces.Ingest(t.Context(), newID(), tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v: want %q", err, tc.want)
			}
			if n := len(f.calls()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// Ingest is retried after a lost answer: client-side ids make it harmless.
func TestTracesService_Ingest_retried(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	var ids []string
	f.handle("POST /projects/{project_id}/traces", func(w http.ResponseWriter, r *http.Request) {
		ids = append(ids, decodeBody[LogTracesIngestRequest](t, r).Traces[0].ID)
		if len(ids) == 1 {
			serveJSON(w, http.StatusBadGateway, map[string]string{"detail": "lost"})
			return
		}
		serveJSON(w, 200, LogTracesIngestResponse{ProjectID: pid, ProjectName: "p", TracesCount: 1})
	})
	_, err := f.client(WithRetry(2, 0, 0)).Traces.Ingest(t.Context(), pid, LogTracesIngestRequest{ExperimentID: &eid,
		Traces: []Span{{Type: "trace", Name: "t", CreatedAt: fxTime, Input: "q"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != ids[1] {
		t.Errorf("trace ids sent %v: want the same id twice", ids)
	}
}

// fracDigits matches the fractional seconds of an RFC 3339 timestamp.
var fracDigits = regexp.MustCompile(`"created_at":"[^"]*?T\d\d:\d\d:\d\d(?:\.(\d+))?[^"]*"`)

// Timestamps are sent with at most 6 fractional digits, as the Python SDK
// sends them; parsing one back gives the time truncated to microseconds.
func TestSpan_MarshalJSON_microseconds(t *testing.T) {
	at := time.Date(2026, 12, 2, 0, 35, 19, 939871562, time.UTC)
	local := at.In(time.FixedZone("X", 3600))
	sp := Span{Type: "trace", Name: "t", CreatedAt: at, Spans: []Span{
		{Type: "llm", Name: "c", CreatedAt: local, Spans: []Span{{Type: "tool", Name: "g", CreatedAt: at}}},
	}}
	b, err := json.Marshal(sp)
	if err != nil {
		t.Fatal(err)
	}
	ms := fracDigits.FindAllSubmatch(b, -1)
	if len(ms) != 3 {
		t.Fatalf("%s: found %d created_at values, want 3", b, len(ms))
	}
	for _, m := range ms {
		if len(m[1]) > 6 {
			t.Errorf("%s: %d fractional digits, want at most 6", m[0], len(m[1]))
		}
	}
	if !strings.Contains(string(b), `"created_at":"2026-12-02T00:35:19.939871Z"`) {
		t.Errorf("%s: want created_at 2026-12-02T00:35:19.939871Z", b)
	}
	var back Span
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	want := at.Truncate(time.Microsecond)
	for _, got := range []time.Time{back.CreatedAt, back.Spans[0].CreatedAt, back.Spans[0].Spans[0].CreatedAt} {
		if !got.Equal(want) {
			t.Errorf("parsed back %v, want %v", got, want)
		}
	}
	if sp.CreatedAt != at || sp.Spans[0].CreatedAt != local {
		t.Error("marshalling changed the caller's span")
	}
	// The ingest request carries the truncated times too.
	req, err := json.Marshal(LogTracesIngestRequest{Traces: []Span{sp}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(req), "939871562") {
		t.Errorf("ingest body %s has nanoseconds", req)
	}
}

func TestFilter_MarshalJSON_microseconds(t *testing.T) {
	at := time.Date(2026, 12, 2, 0, 35, 19, 939871562, time.UTC)
	for _, v := range []any{at, &at} {
		b, err := json.Marshal(Filter{Name: "created_at", Operator: "gte", Value: v})
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"name":"created_at","operator":"gte","value":"2026-12-02T00:35:19.939871Z"}`; string(b) != want {
			t.Errorf("%T value: %s, want %s", v, b, want)
		}
	}
	b, _ := json.Marshal(Filter{Name: "name", Operator: "eq", Value: "x"})
	if want := `{"name":"name","operator":"eq","value":"x"}`; string(b) != want {
		t.Errorf("string value: %s, want %s", b, want)
	}
}
