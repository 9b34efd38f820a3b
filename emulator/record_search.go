package emulator

import (
	"encoding/json"
	"net/http"
)

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

func (s *Server) handleSearchTraces(c *call) error { return s.search(c, "trace") }

func (s *Server) handleSearchSpans(c *call) error { return s.search(c, "span") }

func (s *Server) handleSearchSessions(c *call) error { return s.search(c, "session") }

func (s *Server) handleCountTraces(c *call) error { return s.count(c, "trace") }

func (s *Server) handleCountSpans(c *call) error { return s.count(c, "span") }

func (s *Server) handleCountSessions(c *call) error { return s.count(c, "session") }

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
	if rootType != "span" {
		// The model of the first LLM call inside (see firstModel).
		cols = append(cols, logColumn("model", "Model", "standard", "text"))
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

func (s *Server) handleTraceColumns(c *call) error { return s.columns(c, "trace") }

func (s *Server) handleSpanColumns(c *call) error { return s.columns(c, "span") }

func (s *Server) handleSessionColumns(c *call) error { return s.columns(c, "session") }
