package emulator

import (
	"net/http"

	"github.com/galileo-community/galileo-go/galileo"
)

// Record is one trace, span or session as search, export and GET return
// it: the wire record plus the fields of some record types and, for GET of a
// trace or span, its children.
type Record struct {
	galileo.Record
	Temperature  *float64 `json:"temperature,omitempty"`
	FinishReason *string  `json:"finish_reason,omitempty"`
	StepNumber   *int     `json:"step_number,omitempty"`
	Tools        []any    `json:"tools,omitempty"`
	NumTraces    *int     `json:"num_traces,omitempty"`
	Spans        []Record `json:"spans,omitempty"`
}

var messageRoles = map[string]bool{"agent": true, "assistant": true, "developer": true, "function": true, "system": true, "tool": true, "user": true}

// asMessage reads v as a chat message, or reports false.
func asMessage(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	role, _ := m["role"].(string)
	if _, has := m["content"]; !has || role == "" {
		return nil, false
	}
	out := map[string]any{"role": role, "content": m["content"]}
	if !messageRoles[role] {
		out["role"] = "user"
	}
	if _, isStr := m["content"].(string); !isStr {
		if _, isList := m["content"].([]any); !isList {
			out["content"] = textOf(m["content"])
		}
	}
	for _, k := range []string{"tool_call_id", "tool_calls"} {
		if x, ok := m[k]; ok && x != nil {
			out[k] = x
		}
	}
	return out, true
}

func textOrNil(v any) any {
	if v == nil {
		return nil
	}
	return textOf(v)
}

// wireIO shapes a stored input/output the way the record schema of type
// typ allows.
func wireIO(typ string, v any, isInput bool) any {
	switch typ {
	case "llm":
		if isInput {
			if list, ok := v.([]any); ok {
				out := make([]any, 0, len(list))
				for _, e := range list {
					if m, ok := asMessage(e); ok {
						out = append(out, m)
					} else {
						out = append(out, map[string]any{"role": "user", "content": textOf(e)})
					}
				}
				return out
			}
			if v == nil {
				return []any{}
			}
			if m, ok := asMessage(v); ok {
				return []any{m}
			}
			return []any{map[string]any{"role": "user", "content": textOf(v)}}
		}
		if m, ok := asMessage(v); ok {
			return m
		}
		return map[string]any{"role": "assistant", "content": textOf(v)}
	case "retriever":
		if isInput {
			return textOf(v)
		}
		return documents(v)
	case "tool":
		if isInput {
			return textOf(v)
		}
		return textOrNil(v)
	case "control":
		if isInput {
			if s, ok := v.(string); ok {
				return s
			}
			return textOf(v)
		}
		if m, ok := v.(map[string]any); ok {
			return m
		}
		return nil
	default:
		if isInput {
			if v == nil {
				return ""
			}
			return textOf(v)
		}
		return textOrNil(v)
	}
}

// documents reads a retriever output as a list of {content, metadata}.
func documents(v any) []any {
	out := []any{}
	switch x := v.(type) {
	case nil:
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				d := map[string]any{"content": textOf(m["content"])}
				if md, ok := m["metadata"].(map[string]any); ok {
					meta := map[string]any{}
					for k, mv := range md {
						switch mv.(type) {
						case string, float64, bool:
							meta[k] = mv
						default:
							meta[k] = textOf(mv)
						}
					}
					d["metadata"] = meta
				}
				out = append(out, d)
			} else {
				out = append(out, map[string]any{"content": textOf(e)})
			}
		}
	default:
		out = append(out, map[string]any{"content": textOf(v)})
	}
	return out
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty[T any](m map[string]T) map[string]T {
	if m == nil {
		return map[string]T{}
	}
	return m
}

// renderNode renders a stored trace or span. withChildren nests its spans.
func (s *Server) renderNode(n *node, withChildren bool) Record {
	r := Record{Record: galileo.Record{
		Type: n.Type, ID: n.ID, SessionID: n.SessionID, ProjectID: n.ProjectID, RunID: n.RunID, Name: n.Name,
		Input: wireIO(n.Type, n.Input, true), Output: wireIO(n.Type, n.Output, false), CreatedAt: n.CreatedAt,
		UserMetadata: orEmpty(n.UserMetadata), Tags: n.Tags, StatusCode: n.StatusCode, Metrics: map[string]any{},
		DatasetInput: n.DatasetInput, DatasetOutput: n.DatasetOutput, DatasetMetadata: orEmpty(n.DatasetMetadata),
		IsComplete: n.IsComplete, Model: n.Model, ErrorMessage: n.ErrorMessage,
	}}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	up := n.UpdatedAt
	r.UpdatedAt = &up
	tid := n.TraceID
	if n.Type == "trace" {
		tid = n.ID
	}
	r.TraceID = strPtr(tid)
	if n.Type != "trace" {
		pid := n.ParentID
		r.ParentID = &pid
		r.StepNumber = n.StepNumber
	}
	hc := len(n.Spans) > 0
	r.HasChildren = &hc
	if n.Type == "trace" {
		ns := n.countSpans()
		r.NumSpans = &ns
	}
	for k, v := range n.Metrics {
		r.Metrics[k] = v
	}
	if _, ok := r.Metrics["duration_ns"]; !ok {
		r.Metrics["duration_ns"] = nil
	}
	if n.Type == "llm" {
		r.Temperature, r.FinishReason, r.Tools = n.Temperature, n.FinishReason, n.Tools
	}
	if n.Type == "trace" {
		s.addScores(&r, n)
	}
	if withChildren && n.Type != "llm" && n.Type != "control" {
		r.Spans = []Record{}
		for _, c := range n.Spans {
			r.Spans = append(r.Spans, s.renderNode(c, true))
		}
	}
	return r
}

// addScores puts a trace's metric values and statuses into its record.
func (s *Server) addScores(r *Record, n *node) {
	e := s.st.Experiments[n.RunID]
	rs := s.st.runs[n.RunID]
	if e == nil || rs == nil {
		return
	}
	ts := n.score
	if ts != nil {
		r.Metrics["cost"] = ts.cost
		if d, ok := r.Metrics["duration_ns"]; !ok || d == nil {
			r.Metrics["duration_ns"] = ts.durationNs
		}
	}
	if len(e.Scorers) == 0 {
		return
	}
	r.MetricInfo = map[string]galileo.MetricInfo{}
	for _, cfg := range e.Scorers {
		sc, ok := s.scorerFor(cfg)
		key := scorerKey(cfg, sc, ok)
		alias := key
		info := galileo.MetricInfo{StatusType: "pending", MetricKeyAlias: &alias}
		if !ok {
			msg := "the emulator has no scorer " + cfg.ID
			info = galileo.MetricInfo{StatusType: "error", Message: &msg, MetricKeyAlias: &alias}
		} else if ts != nil {
			if v, done := ts.vals[sc.ID]; done {
				switch v.status {
				case "success":
					info.StatusType, info.Value = "success", v.value
					r.Metrics[key] = v.value
				case "not_applicable":
					msg := "Metric not applicable."
					info.StatusType, info.Message = "not_applicable", &msg
				default:
					msg := v.msg
					info.StatusType, info.Message = "error", &msg
				}
			}
		}
		r.MetricInfo[key] = info
	}
}

func (s *Server) renderSession(sv *sessionView, withChildren bool) Record {
	first, last := sv.traces[0], sv.traces[len(sv.traces)-1]
	var dur int64
	for _, t := range sv.traces {
		if d, ok := toFloat(t.Metrics["duration_ns"]); ok {
			dur += int64(d)
		}
	}
	nt := len(sv.traces)
	hc := true
	up := last.UpdatedAt
	r := Record{Record: galileo.Record{Type: "session", ID: sv.id, SessionID: sv.id, ProjectID: first.ProjectID, RunID: first.RunID,
		Name: first.Name, Input: textOf(first.Input), Output: textOrNil(last.Output), CreatedAt: first.CreatedAt, UpdatedAt: &up,
		UserMetadata: map[string]string{}, Tags: []string{}, Metrics: map[string]any{"duration_ns": dur},
		DatasetMetadata: map[string]string{}, IsComplete: true, HasChildren: &hc}, NumTraces: &nt}
	if withChildren {
		r.Spans = []Record{}
		for _, t := range sv.traces {
			r.Spans = append(r.Spans, s.renderNode(t, true))
		}
	}
	return r
}

func (s *Server) render(it item, withChildren bool) Record {
	if it.sess != nil {
		return s.renderSession(it.sess, withChildren)
	}
	return s.renderNode(it.n, withChildren)
}

func (s *Server) handleGetTrace(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.st.Traces[c.param("trace_id")]
	if t == nil || t.ProjectID != c.param("project_id") {
		return notFound("Trace", c.param("trace_id"))
	}
	return c.json(http.StatusOK, s.renderNode(t, true))
}

func (s *Server) handleGetSpan(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.st.nodes[c.param("span_id")]
	if n == nil || n.Type == "trace" || n.ProjectID != c.param("project_id") {
		return notFound("Span", c.param("span_id"))
	}
	return c.json(http.StatusOK, s.renderNode(n, true))
}

func (s *Server) handleGetSession(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pid, sid := c.param("project_id"), c.param("session_id")
	sv := &sessionView{id: sid}
	for _, id := range sortedIDs(s.st, s.st.Traces) {
		if t := s.st.Traces[id]; t.ProjectID == pid && t.SessionID == sid {
			sv.traces = append(sv.traces, t)
		}
	}
	if len(sv.traces) == 0 {
		return notFound("Session", sid)
	}
	return c.json(http.StatusOK, s.renderSession(sv, true))
}
