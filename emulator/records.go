package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

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
	ts := rs.scores[n.ID]
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

// searchBody is the body of the record search, count and export routes.
type searchBody struct {
	StartingToken             int             `json:"starting_token"`
	Limit                     *int            `json:"limit"`
	LogStreamID               *string         `json:"log_stream_id"`
	ExperimentID              *string         `json:"experiment_id"`
	MetricsTestingID          *string         `json:"metrics_testing_id"`
	Filters                   []listFilter    `json:"filters"`
	FilterTree                json.RawMessage `json:"filter_tree"`
	Sort                      *listSort       `json:"sort"`
	TruncateFields            bool            `json:"truncate_fields"`
	IncludeCounts             bool            `json:"include_counts"`
	IncludeCodeMetricMetadata bool            `json:"include_code_metric_metadata"`
	// export only
	RootType                  string   `json:"root_type"`
	ColumnIDs                 []string `json:"column_ids"`
	ExportFormat              string   `json:"export_format"`
	Redact                    *bool    `json:"redact"`
	ExportComputedMetricsOnly bool     `json:"export_computed_metrics_only"`
}

func (b *searchBody) runID() string {
	switch {
	case b.ExperimentID != nil && *b.ExperimentID != "":
		return *b.ExperimentID
	case b.LogStreamID != nil && *b.LogStreamID != "":
		return *b.LogStreamID
	case b.MetricsTestingID != nil:
		return *b.MetricsTestingID
	}
	return ""
}

// sessionView is a session derived from the traces that share a session id.
type sessionView struct {
	id     string
	traces []*node
}

// item is one record candidate of a search: a node or a session.
type item struct {
	n    *node
	sess *sessionView
}

func (it item) id() string {
	if it.sess != nil {
		return it.sess.id
	}
	return it.n.ID
}

// collect returns the records of rootType in run (or the whole project when
// run is ""), in arrival order. Call with s.mu held.
func (s *Server) collect(projectID, run, rootType string) ([]item, error) {
	var traces []*node
	if run != "" {
		e := s.st.Experiments[run]
		l := s.st.LogStreams[run]
		if (e == nil || e.ProjectID != projectID) && (l == nil || l.ProjectID != projectID) {
			return nil, errorf(http.StatusNotFound, "Experiment or log stream %s not found in project %s", run, projectID)
		}
		traces = s.st.runTraces[run]
	} else {
		for _, id := range sortedIDs(s.st, s.st.Traces) {
			if t := s.st.Traces[id]; t.ProjectID == projectID {
				traces = append(traces, t)
			}
		}
	}
	var out []item
	switch rootType {
	case "", "trace":
		for _, t := range traces {
			out = append(out, item{n: t})
		}
	case "span":
		for _, t := range traces {
			t.walk(func(n *node) {
				if n != t {
					out = append(out, item{n: n})
				}
			})
		}
	case "session":
		byID := map[string]*sessionView{}
		for _, t := range traces {
			sv := byID[t.SessionID]
			if sv == nil {
				sv = &sessionView{id: t.SessionID}
				byID[t.SessionID] = sv
				out = append(out, item{sess: sv})
			}
			sv.traces = append(sv.traces, t)
		}
	default:
		return nil, invalid("enum", "Input should be 'session', 'trace' or 'span'", "root_type")
	}
	return out, nil
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

// value returns the value of column col of a record and whether it has one.
func (s *Server) value(it item, col string) (any, bool) {
	if it.sess != nil {
		r := s.renderSession(it.sess, false)
		switch col {
		case "id", "session_id":
			return r.ID, true
		case "created_at":
			return r.CreatedAt, true
		case "updated_at":
			return *r.UpdatedAt, true
		case "input":
			return textOf(r.Input), true
		case "output":
			return textOf(r.Output), r.Output != nil
		case "name":
			return r.Name, true
		case "num_traces":
			return float64(*r.NumTraces), true
		}
		if k, ok := strings.CutPrefix(col, "metrics/"); ok {
			v, ok := toFloat(r.Metrics[k])
			return v, ok
		}
		return nil, false
	}
	n := it.n
	switch col {
	case "id":
		return n.ID, true
	case "trace_id":
		if n.Type == "trace" {
			return n.ID, true
		}
		return n.TraceID, n.TraceID != ""
	case "session_id":
		return n.SessionID, true
	case "parent_id":
		return n.ParentID, n.ParentID != ""
	case "run_id", "experiment_id", "log_stream_id":
		return n.RunID, true
	case "project_id":
		return n.ProjectID, true
	case "name":
		return n.Name, true
	case "type":
		return n.Type, true
	case "input":
		return textOf(n.Input), true
	case "output":
		return textOf(n.Output), n.Output != nil
	case "model":
		if n.Model == nil {
			return nil, false
		}
		return *n.Model, true
	case "dataset_input":
		if n.DatasetInput == nil {
			return nil, false
		}
		return *n.DatasetInput, true
	case "dataset_output":
		if n.DatasetOutput == nil {
			return nil, false
		}
		return *n.DatasetOutput, true
	case "external_id":
		if n.ExternalID == nil {
			return nil, false
		}
		return *n.ExternalID, true
	case "error_message":
		return n.ErrorMessage, true
	case "created_at":
		return n.CreatedAt, true
	case "updated_at":
		return n.UpdatedAt, true
	case "status_code":
		if n.StatusCode == nil {
			return nil, false
		}
		return float64(*n.StatusCode), true
	case "is_complete":
		return n.IsComplete, true
	case "has_children":
		return len(n.Spans) > 0, true
	case "num_spans":
		return float64(n.countSpans()), true
	case "tags":
		return n.Tags, true
	}
	if k, ok := strings.CutPrefix(col, "user_metadata/"); ok {
		v, has := n.UserMetadata[k]
		return v, has
	}
	if k, ok := strings.CutPrefix(col, "dataset_metadata/"); ok {
		v, has := n.DatasetMetadata[k]
		return v, has
	}
	if k, ok := strings.CutPrefix(col, "metrics/"); ok {
		return s.metricValue(n, k)
	}
	return nil, false
}

// metricValue finds metric k of a node: a scorer (by alias, name, label or
// id), the system metric cost, or a logged metric.
func (s *Server) metricValue(n *node, k string) (any, bool) {
	if v, ok := toFloat(n.Metrics[k]); ok {
		return v, true
	}
	rs := s.st.runs[n.RunID]
	if rs == nil || n.Type != "trace" {
		return nil, false
	}
	ts := rs.scores[n.ID]
	if ts == nil {
		return nil, false
	}
	switch k {
	case "cost":
		return ts.cost, true
	case "duration_ns":
		return float64(ts.durationNs), true
	}
	sc, ok := s.scorerByKey(k)
	if !ok {
		return nil, false
	}
	v, done := ts.vals[sc.ID]
	if !done || v.status != "success" {
		return nil, false
	}
	return v.value, true
}

var knownColumns = map[string]bool{"id": true, "trace_id": true, "session_id": true, "parent_id": true, "run_id": true,
	"experiment_id": true, "log_stream_id": true, "project_id": true, "name": true, "type": true, "input": true, "output": true,
	"model": true, "dataset_input": true, "dataset_output": true, "external_id": true, "error_message": true, "created_at": true,
	"updated_at": true, "status_code": true, "is_complete": true, "has_children": true, "num_spans": true, "tags": true, "num_traces": true}

func knownColumn(col string) bool {
	if knownColumns[col] {
		return true
	}
	for _, p := range []string{"metrics/", "user_metadata/", "dataset_metadata/", "metric_status/", "feedback_rating_info/", "annotations/"} {
		if strings.HasPrefix(col, p) {
			return true
		}
	}
	return false
}

// matches applies one record filter.
func (s *Server) matches(i int, f listFilter, it item) (bool, error) {
	col := f.column()
	if col == "" {
		return false, missing("filters", i, "column_id")
	}
	if !knownColumn(col) {
		return false, invalid("value_error", fmt.Sprintf("unknown column %q", col), "filters", i, "column_id")
	}
	v, ok := s.value(it, col)
	typ := f.Type
	if typ == "" {
		switch v.(type) {
		case float64:
			typ = "number"
		case time.Time:
			typ = "date"
		case bool:
			typ = "boolean"
		case []string:
			typ = "collection"
		default:
			typ = "text"
		}
		if strings.HasPrefix(col, "metrics/") {
			typ = "number"
		}
	}
	switch typ {
	case "text", "id":
		sv, _ := v.(string)
		if !ok {
			// A missing value only satisfies the negative operators.
			sv = ""
			if op := f.op("eq"); op != "ne" && op != "not_in" {
				return false, nil
			}
		}
		return matchText(i, f, sv, typ == "text")
	case "number":
		fv, isNum := toFloat(v)
		if !ok || !isNum {
			return false, nil
		}
		return matchNumber(i, f, fv)
	case "date":
		tv, isTime := v.(time.Time)
		if !ok || !isTime {
			return false, nil
		}
		return matchDate(i, f, tv)
	case "boolean":
		bv, isBool := v.(bool)
		if !ok || !isBool {
			return false, nil
		}
		return matchBool(i, f, bv)
	case "collection":
		list, _ := v.([]string)
		want, okw := filterStrings(f.Value)
		if !okw {
			return false, invalid("list_type", "Input should be a valid list", "filters", i, "value")
		}
		hit := false
		for _, w := range want {
			hit = hit || slices.Contains(list, w)
		}
		switch f.op("contains") {
		case "not_in", "ne":
			return !hit, nil
		}
		return hit, nil
	case "fully_annotated":
		return false, nil
	}
	return false, invalid("union_tag_invalid", fmt.Sprintf("Input tag '%s' found using 'type' does not match any of the expected tags: 'id', 'date', 'number', 'boolean', 'collection', 'text', 'fully_annotated'", typ), "filters", i)
}

// matchTree evaluates a filter_tree node.
func (s *Server) matchTree(raw json.RawMessage, it item) (bool, error) {
	var nodeT struct {
		And    []json.RawMessage `json:"and"`
		Or     []json.RawMessage `json:"or"`
		Not    json.RawMessage   `json:"not"`
		Filter *listFilter       `json:"filter"`
	}
	if err := json.Unmarshal(raw, &nodeT); err != nil {
		return false, invalid("value_error", "invalid filter_tree: "+err.Error(), "filter_tree")
	}
	switch {
	case nodeT.Filter != nil:
		return s.matches(0, *nodeT.Filter, it)
	case nodeT.And != nil:
		for _, c := range nodeT.And {
			ok, err := s.matchTree(c, it)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case nodeT.Or != nil:
		for _, c := range nodeT.Or {
			ok, err := s.matchTree(c, it)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case len(nodeT.Not) > 0:
		ok, err := s.matchTree(nodeT.Not, it)
		return !ok, err
	}
	return true, nil
}

// selectRecords filters and sorts the records a search body asks for.
func (s *Server) selectRecords(projectID string, b *searchBody, rootType string) ([]item, error) {
	if _, err := s.project(projectID); err != nil {
		return nil, err
	}
	all, err := s.collect(projectID, b.runID(), rootType)
	if err != nil {
		return nil, err
	}
	out := all[:0:0]
	for _, it := range all {
		ok := true
		for i, f := range b.Filters {
			m, err := s.matches(i, f, it)
			if err != nil {
				return nil, err
			}
			if !m {
				ok = false
				break
			}
		}
		if ok && len(b.FilterTree) > 0 && string(b.FilterTree) != "null" {
			m, err := s.matchTree(b.FilterTree, it)
			if err != nil {
				return nil, err
			}
			ok = m
		}
		if ok {
			out = append(out, it)
		}
	}
	col := b.Sort.column("created_at")
	asc := b.Sort.ascending(false)
	if b.Sort != nil && b.Sort.Ascending == nil {
		asc = true // the sort clause's own default
	}
	keys := make(map[string]any, len(out))
	for _, it := range out {
		if v, ok := s.value(it, col); ok {
			keys[it.id()] = v
		}
	}
	sortBy(out, asc, func(a, b item) int { return compareValues(keys[a.id()], keys[b.id()]) })
	return out, nil
}

// compareValues orders column values; missing values sort first.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func (s *Server) search(c *call, rootType string) error {
	var b searchBody
	if err := decodeJSON(c.r, &b, true); err != nil {
		return err
	}
	limit := 100
	if b.Limit != nil {
		limit = *b.Limit
	}
	pg := normPage(b.StartingToken, limit)
	s.mu.RLock()
	defer s.mu.RUnlock()
	list, err := s.selectRecords(c.param("project_id"), &b, rootType)
	if err != nil {
		return err
	}
	lo, hi, env := pg.cut(len(list))
	out := struct {
		pageEnvelope
		LastRowID *string  `json:"last_row_id"`
		Records   []Record `json:"records"`
	}{pageEnvelope: env, Records: []Record{}}
	for _, it := range list[lo:hi] {
		r := s.render(it, false)
		if b.TruncateFields {
			truncateRecord(&r)
		}
		out.Records = append(out.Records, r)
	}
	if hi > lo {
		id := list[hi-1].id()
		out.LastRowID = &id
	}
	return c.json(http.StatusOK, out)
}

// truncateRecord shortens long text inputs and outputs.
func truncateRecord(r *Record) {
	const max = 1000
	if s, ok := r.Input.(string); ok && len(s) > max {
		r.Input = s[:max]
	}
	if s, ok := r.Output.(string); ok && len(s) > max {
		r.Output = s[:max]
	}
}

func (s *Server) count(c *call, rootType string) error {
	var b searchBody
	if err := decodeJSON(c.r, &b, true); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	list, err := s.selectRecords(c.param("project_id"), &b, rootType)
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, map[string]int{"total_count": len(list)})
}

func (s *Server) handleSearchTraces(c *call) error   { return s.search(c, "trace") }
func (s *Server) handleSearchSpans(c *call) error    { return s.search(c, "span") }
func (s *Server) handleSearchSessions(c *call) error { return s.search(c, "session") }
func (s *Server) handleCountTraces(c *call) error    { return s.count(c, "trace") }
func (s *Server) handleCountSpans(c *call) error     { return s.count(c, "span") }
func (s *Server) handleCountSessions(c *call) error  { return s.count(c, "session") }

// logColumn builds one LogRecordsColumnInfo.
func logColumn(id, label, category, dataType string, types ...string) map[string]any {
	if types == nil {
		types = []string{}
	}
	return map[string]any{"id": id, "label": label, "category": category, "data_type": dataType, "sortable": true,
		"filterable": true, "multi_valued": false, "is_empty": false, "is_optional": false, "applicable_types": types}
}

func (s *Server) columns(c *call, rootType string) error {
	var b searchBody
	if err := decodeJSON(c.r, &b, true); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	pid := c.param("project_id")
	if _, err := s.project(pid); err != nil {
		return err
	}
	items, err := s.collect(pid, b.runID(), rootType)
	if err != nil {
		return err
	}
	cols := []map[string]any{
		logColumn("id", "ID", "standard", "uuid"),
		logColumn("created_at", "Created", "standard", "timestamp"),
		logColumn("name", "Name", "standard", "text"),
		logColumn("input", "Input", "standard", "text"),
		logColumn("output", "Output", "standard", "text"),
		logColumn("status_code", "Status Code", "standard", "integer"),
		logColumn("tags", "Tags", "standard", "string_list"),
	}
	if rootType != "session" {
		cols = append(cols, logColumn("dataset_input", "Dataset Input", "dataset", "text"),
			logColumn("dataset_output", "Dataset Output", "dataset", "text"),
			logColumn("metrics/duration_ns", "Latency", "metric", "integer"))
	}
	if rootType == "span" {
		cols = append(cols, logColumn("type", "Type", "standard", "text"), logColumn("model", "Model", "standard", "text", "llm"),
			logColumn("metrics/num_input_tokens", "Input Tokens", "metric", "integer", "llm"),
			logColumn("metrics/num_output_tokens", "Output Tokens", "metric", "integer", "llm"))
	}
	metaKeys := map[string]bool{}
	for _, it := range items {
		if it.n != nil {
			for k := range it.n.UserMetadata {
				metaKeys[k] = true
			}
		}
	}
	for _, k := range sortedKeys(metaKeys) {
		cols = append(cols, logColumn("user_metadata/"+k, k, "user_metadata", "text"))
	}
	if e := s.st.Experiments[b.runID()]; e != nil && rootType == "trace" {
		cols = append(cols, logColumn("metrics/cost", "Cost", "metric", "floating_point"))
		for _, cfg := range e.Scorers {
			sc, ok := s.scorerFor(cfg)
			if !ok {
				continue
			}
			col := logColumn("metrics/"+scorerKey(cfg, sc, true), sc.Label, "metric", "floating_point", "trace")
			col["metric_key_alias"] = scorerKey(cfg, sc, true)
			col["scorer_id"] = sc.ID
			cols = append(cols, col)
		}
	}
	return c.json(http.StatusOK, map[string]any{"columns": cols})
}

func (s *Server) handleTraceColumns(c *call) error   { return s.columns(c, "trace") }
func (s *Server) handleSpanColumns(c *call) error    { return s.columns(c, "span") }
func (s *Server) handleSessionColumns(c *call) error { return s.columns(c, "session") }

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
