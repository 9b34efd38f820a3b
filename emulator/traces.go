package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// spanIn is a trace or span as the ingest routes receive it. Values are
// kept loosely typed: clients send strings, message lists and documents.
type spanIn struct {
	Type            string         `json:"type"`
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	CreatedAt       *time.Time     `json:"created_at"`
	Input           any            `json:"input"`
	Output          any            `json:"output"`
	UserMetadata    map[string]any `json:"user_metadata"`
	Tags            []any          `json:"tags"`
	StatusCode      *int           `json:"status_code"`
	Metrics         map[string]any `json:"metrics"`
	ExternalID      *string        `json:"external_id"`
	DatasetInput    any            `json:"dataset_input"`
	DatasetOutput   any            `json:"dataset_output"`
	DatasetMetadata map[string]any `json:"dataset_metadata"`
	SessionID       *string        `json:"session_id"`
	StepNumber      *int           `json:"step_number"`
	Model           *string        `json:"model"`
	Temperature     *float64       `json:"temperature"`
	FinishReason    *string        `json:"finish_reason"`
	Tools           []any          `json:"tools"`
	DurationNs      *int64         `json:"duration_ns"`
	Spans           []spanIn       `json:"spans"`
}

// ingestBody is the body of POST .../traces and .../spans.
type ingestBody struct {
	LogStreamID       *string  `json:"log_stream_id"`
	ExperimentID      *string  `json:"experiment_id"`
	MetricsTestingID  *string  `json:"metrics_testing_id"`
	SessionID         *string  `json:"session_id"`
	SessionExternalID *string  `json:"session_external_id"`
	Traces            []spanIn `json:"traces"`
	Spans             []spanIn `json:"spans"`
	IsComplete        *bool    `json:"is_complete"`
	IncludeTraceIDs   bool     `json:"include_trace_ids"`
	TraceID           string   `json:"trace_id"`
	ParentID          string   `json:"parent_id"`
}

var spanTypes = map[string]bool{"workflow": true, "llm": true, "tool": true, "retriever": true, "agent": true, "control": true}

func stringMap(m map[string]any) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = textOf(v)
	}
	return out
}

func optText(v any) *string {
	if v == nil {
		return nil
	}
	s := textOf(v)
	return &s
}

// target resolves the run an ingest body names. Call with s.mu held.
func (s *Server) target(projectID string, b *ingestBody) (*projectRec, string, error) {
	p, err := s.project(projectID)
	if err != nil {
		return nil, "", err
	}
	set := 0
	for _, v := range []*string{b.LogStreamID, b.ExperimentID, b.MetricsTestingID} {
		if v != nil && *v != "" {
			set++
		}
	}
	if set != 1 {
		return nil, "", invalid("value_error", "Value error, Exactly one of log_stream_id, experiment_id or metrics_testing_id must be set")
	}
	switch {
	case b.ExperimentID != nil && *b.ExperimentID != "":
		e := s.st.Experiments[*b.ExperimentID]
		if e == nil || e.ProjectID != p.ID {
			return nil, "", notFound("Experiment", *b.ExperimentID)
		}
		return p, e.ID, nil
	case b.LogStreamID != nil && *b.LogStreamID != "":
		l := s.st.LogStreams[*b.LogStreamID]
		if l == nil || l.ProjectID != p.ID {
			return nil, "", notFound("Log stream", *b.LogStreamID)
		}
		return p, l.ID, nil
	}
	return nil, "", errorf(http.StatusNotFound, "Metrics testing run %s not found", *b.MetricsTestingID)
}

// buildNode turns an ingested span tree into stored nodes.
func (s *Server) buildNode(in *spanIn, parent *node, trace *node, now time.Time, loc []any) (*node, error) {
	typ := in.Type
	if typ == "" {
		if parent == nil {
			typ = "trace"
		} else {
			typ = "workflow"
		}
	}
	if parent == nil && typ != "trace" {
		return nil, invalid("union_tag_invalid", fmt.Sprintf("Input tag '%s' found using 'type' does not match the expected tag: 'trace'", typ), append(loc, "type")...)
	}
	if parent != nil && !spanTypes[typ] {
		return nil, invalid("union_tag_invalid", fmt.Sprintf("Input tag '%s' found using 'type' does not match any of the expected tags: 'agent', 'workflow', 'llm', 'retriever', 'tool', 'control'", typ), append(loc, "type")...)
	}
	n := &node{Type: typ, ID: in.ID, Name: in.Name, Input: in.Input, Output: in.Output, UserMetadata: stringMap(in.UserMetadata),
		StatusCode: in.StatusCode, Metrics: in.Metrics, ExternalID: in.ExternalID, DatasetInput: optText(in.DatasetInput),
		DatasetOutput: optText(in.DatasetOutput), DatasetMetadata: stringMap(in.DatasetMetadata), IsComplete: true,
		StepNumber: in.StepNumber, Model: in.Model, Temperature: in.Temperature, FinishReason: in.FinishReason, Tools: in.Tools}
	if n.ID == "" {
		n.ID = s.newID()
	}
	for _, t := range in.Tags {
		n.Tags = append(n.Tags, textOf(t))
	}
	n.CreatedAt = now
	if in.CreatedAt != nil && !in.CreatedAt.IsZero() {
		n.CreatedAt = in.CreatedAt.UTC()
	}
	n.UpdatedAt = now
	if in.DurationNs != nil {
		if n.Metrics == nil {
			n.Metrics = map[string]any{}
		}
		n.Metrics["duration_ns"] = float64(*in.DurationNs)
	}
	if n.StatusCode != nil && *n.StatusCode >= 400 && n.ErrorMessage == "" {
		n.ErrorMessage = "status code " + strconv.Itoa(*n.StatusCode)
	}
	if parent == nil {
		trace = n
	} else {
		n.ParentID = parent.ID
		n.TraceID = trace.ID
	}
	for i := range in.Spans {
		c, err := s.buildNode(&in.Spans[i], n, trace, now, append(loc, "spans", i))
		if err != nil {
			return nil, err
		}
		n.Spans = append(n.Spans, c)
	}
	return n, nil
}

// stamp sets the run fields on every node of a trace.
func stamp(t *node, projectID, runID, sessionID string) {
	t.walk(func(n *node) {
		n.ProjectID, n.RunID, n.SessionID = projectID, runID, sessionID
		if n != t {
			n.TraceID = t.ID
		}
	})
}

func (s *Server) handleIngestTraces(c *call) error {
	var b ingestBody
	if err := decodeJSON(c.r, &b, false); err != nil {
		return err
	}
	if b.Traces == nil {
		return missing("traces")
	}
	complete := b.IsComplete == nil || *b.IsComplete
	s.mu.Lock()
	defer s.mu.Unlock()
	p, run, err := s.target(c.param("project_id"), &b)
	if err != nil {
		return err
	}
	now := s.now()
	var fresh []*node
	var ids []string
	seen := map[string]bool{}
	spans := 0
	for i := range b.Traces {
		t, err := s.buildNode(&b.Traces[i], nil, nil, now, []any{"traces", i})
		if err != nil {
			return err
		}
		t.IsComplete = complete
		sess := t.ID
		switch {
		case b.Traces[i].SessionID != nil && *b.Traces[i].SessionID != "":
			sess = *b.Traces[i].SessionID
		case b.SessionID != nil && *b.SessionID != "":
			sess = *b.SessionID
		}
		stamp(t, p.ID, run, sess)
		ids = append(ids, t.ID)
		spans += t.countSpans()
		// Ids already stored (or repeated in this request) are ingested once.
		if seen[t.ID] || s.st.nodes[t.ID] != nil {
			continue
		}
		dup := false
		t.walk(func(n *node) {
			if n != t && (seen[n.ID] || s.st.nodes[n.ID] != nil) {
				dup = true
			}
			seen[n.ID] = true
		})
		if dup {
			return errorf(http.StatusConflict, "Span ids of trace %s are already used by other records", t.ID)
		}
		fresh = append(fresh, t)
	}
	if len(fresh) > 0 {
		if err := s.commit("put", kindTraces, "", fresh); err != nil {
			return err
		}
		for _, t := range fresh {
			s.storeTrace(t)
		}
	}
	out := map[string]any{"project_id": p.ID, "project_name": p.Name, "records_count": len(b.Traces) + spans,
		"traces_count": len(b.Traces), "spans_count": spans, "experiment_id": b.ExperimentID, "log_stream_id": b.LogStreamID,
		"session_id": b.SessionID}
	if b.IncludeTraceIDs {
		out["trace_ids"] = ids
	}
	return c.json(http.StatusOK, out)
}

// storeTrace stores a trace and schedules its scoring. Call with s.mu held.
func (s *Server) storeTrace(t *node) {
	s.st.putTrace(t)
	if e := s.st.Experiments[t.RunID]; e != nil && t.IsComplete {
		rs := s.st.runs[e.ID]
		rs.enqueue(t.ID)
		s.kick(e.ID)
	}
}

// cloneTree deep-copies a stored trace so it can be changed and re-stored.
func cloneTree(t *node) *node {
	b, _ := json.Marshal(t)
	var c node
	_ = json.Unmarshal(b, &c)
	return &c
}

func (s *Server) handleIngestSpans(c *call) error {
	var b ingestBody
	if err := decodeJSON(c.r, &b, false); err != nil {
		return err
	}
	if b.Spans == nil {
		return missing("spans")
	}
	if b.TraceID == "" {
		return missing("trace_id")
	}
	if b.ParentID == "" {
		return missing("parent_id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, run, err := s.target(c.param("project_id"), &b)
	if err != nil {
		return err
	}
	old := s.st.Traces[b.TraceID]
	if old == nil || old.RunID != run {
		return notFound("Trace", b.TraceID)
	}
	t := cloneTree(old)
	var parent *node
	t.walk(func(n *node) {
		if n.ID == b.ParentID {
			parent = n
		}
	})
	if parent == nil {
		return notFound("Parent span", b.ParentID)
	}
	now := s.now()
	count := 0
	for i := range b.Spans {
		n, err := s.buildNode(&b.Spans[i], parent, t, now, []any{"spans", i})
		if err != nil {
			return err
		}
		dup := false
		n.walk(func(x *node) {
			if s.st.nodes[x.ID] != nil {
				dup = true
			}
		})
		if dup {
			continue
		}
		parent.Spans = append(parent.Spans, n)
		count += n.countSpans() + 1
	}
	stamp(t, p.ID, run, t.SessionID)
	t.UpdatedAt = now
	if err := s.commit("put", kindTraces, "", []*node{t}); err != nil {
		return err
	}
	s.storeTrace(t)
	return c.json(http.StatusOK, map[string]any{"project_id": p.ID, "project_name": p.Name, "records_count": count,
		"trace_id": t.ID, "parent_id": parent.ID, "session_id": t.SessionID, "experiment_id": b.ExperimentID, "log_stream_id": b.LogStreamID})
}

// updateBody is the body of PATCH .../traces/{id} and .../spans/{id}.
type updateBody struct {
	LogStreamID      *string  `json:"log_stream_id"`
	ExperimentID     *string  `json:"experiment_id"`
	MetricsTestingID *string  `json:"metrics_testing_id"`
	Input            any      `json:"input"`
	Output           any      `json:"output"`
	StatusCode       *int     `json:"status_code"`
	Tags             []string `json:"tags"`
	IsComplete       *bool    `json:"is_complete"`
	DurationNs       *int64   `json:"duration_ns"`
}

func (s *Server) patchNode(c *call, id string, isTrace bool) error {
	var b updateBody
	if err := decodeJSON(c.r, &b, false); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	n := s.st.nodes[id]
	if n == nil || n.ProjectID != p.ID || (n.Type == "trace") != isTrace {
		if isTrace {
			return notFound("Trace", id)
		}
		return notFound("Span", id)
	}
	traceID := n.ID
	if !isTrace {
		traceID = n.TraceID
	}
	t := cloneTree(s.st.Traces[traceID])
	var target *node
	t.walk(func(x *node) {
		if x.ID == id {
			target = x
		}
	})
	now := s.now()
	if b.Input != nil {
		target.Input = b.Input
	}
	if b.Output != nil {
		target.Output = b.Output
	}
	if b.StatusCode != nil {
		target.StatusCode = b.StatusCode
	}
	if b.Tags != nil {
		target.Tags = b.Tags
	}
	if b.DurationNs != nil {
		if target.Metrics == nil {
			target.Metrics = map[string]any{}
		}
		target.Metrics["duration_ns"] = float64(*b.DurationNs)
	}
	if b.IsComplete != nil && isTrace {
		target.IsComplete = *b.IsComplete
	}
	target.UpdatedAt = now
	if err := s.commit("put", kindTraces, "", []*node{t}); err != nil {
		return err
	}
	s.storeTrace(t)
	out := map[string]any{"project_id": p.ID, "project_name": p.Name, "records_count": 1, "session_id": t.SessionID}
	if e := s.st.Experiments[t.RunID]; e != nil {
		out["experiment_id"] = e.ID
	} else {
		out["log_stream_id"] = t.RunID
	}
	if isTrace {
		out["trace_id"] = id
	} else {
		out["span_id"] = id
	}
	return c.json(http.StatusOK, out)
}

func (s *Server) handlePatchTrace(c *call) error { return s.patchNode(c, c.param("trace_id"), true) }
func (s *Server) handlePatchSpan(c *call) error  { return s.patchNode(c, c.param("span_id"), false) }

func (s *Server) handleCreateSession(c *call) error {
	var b struct {
		LogStreamID      *string `json:"log_stream_id"`
		ExperimentID     *string `json:"experiment_id"`
		MetricsTestingID *string `json:"metrics_testing_id"`
		Name             *string `json:"name"`
		PreviousID       *string `json:"previous_session_id"`
		ExternalID       *string `json:"external_id"`
	}
	if err := decodeJSON(c.r, &b, true); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, _, err := s.target(c.param("project_id"), &ingestBody{LogStreamID: b.LogStreamID, ExperimentID: b.ExperimentID, MetricsTestingID: b.MetricsTestingID})
	if err != nil {
		return err
	}
	// Sessions exist through their traces: the id is handed out for the
	// client to put on the traces it logs.
	return c.json(http.StatusOK, map[string]any{"id": s.newID(), "name": b.Name, "project_id": p.ID, "project_name": p.Name,
		"previous_session_id": b.PreviousID, "external_id": b.ExternalID})
}
