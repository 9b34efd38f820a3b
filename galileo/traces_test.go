package galileo

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
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
