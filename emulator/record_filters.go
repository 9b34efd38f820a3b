package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

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
		case "model":
			for _, t := range it.sess.traces {
				if m := firstModel(t); m != "" {
					return m, true
				}
			}
			return nil, false
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
		m := firstModel(n)
		return m, m != ""
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
	ts := n.score
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

// firstModel is the model column of a trace or span: its own model, else
// the first one found depth-first among its spans (a trace's model is the
// model of its first LLM call); "" when there is none. A session's is that
// of its first trace with one.
func firstModel(n *node) string {
	if n.Model != nil && *n.Model != "" {
		return *n.Model
	}
	for _, c := range n.Spans {
		if m := firstModel(c); m != "" {
			return m
		}
	}
	return ""
}
