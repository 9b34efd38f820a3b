package emulator

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// flatten turns nested objects into one level, joining keys with "_".
func flatten(prefix string, v any, out map[string]any) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		if prefix != "" {
			out[prefix] = v
		}
		return
	}
	for k, x := range m {
		key := k
		if prefix != "" {
			key = prefix + "_" + k
		}
		flatten(key, x, out)
	}
}

// asMap turns a rendered record into a generic JSON object.
func asMap(r Record) map[string]any {
	b, _ := json.Marshal(r)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// handleExport streams the records of a run, one line at a time.
func (s *Server) handleExport(c *call) error {
	var b searchBody
	if err := decodeJSON(c.r, &b, false); err != nil {
		return err
	}
	if b.RootType == "" {
		return missing("root_type")
	}
	format := b.ExportFormat
	if format == "" {
		format = "jsonl"
	}
	switch format {
	case "jsonl", "jsonl_flat", "csv":
	default:
		return invalid("enum", "Input should be 'csv', 'jsonl' or 'jsonl_flat'", "export_format")
	}
	if b.ExportComputedMetricsOnly && format == "jsonl_flat" {
		return invalid("value_error", "Value error, export_computed_metrics_only is not supported with jsonl_flat", "export_computed_metrics_only")
	}
	s.mu.RLock()
	list, err := s.selectRecords(c.param("project_id"), &b, b.RootType)
	if err != nil {
		s.mu.RUnlock()
		return err
	}
	recs := make([]Record, 0, len(list))
	for _, it := range list {
		recs = append(recs, s.render(it, false))
	}
	s.mu.RUnlock()

	if format == "csv" {
		c.w.Header().Set("Content-Type", "text/csv")
	} else {
		c.w.Header().Set("Content-Type", "application/jsonl")
	}
	c.w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(c.w)
	bw := bufio.NewWriter(c.w)
	flushLine := func() {
		_ = bw.Flush()
		_ = rc.Flush()
	}
	switch format {
	case "csv":
		cols := b.ColumnIDs
		rows := make([]map[string]any, 0, len(recs))
		seen := map[string]bool{}
		var found []string
		for _, r := range recs {
			m := map[string]any{}
			flatten("", asMap(r), m)
			for k, v := range asMap(r)["metrics"].(map[string]any) {
				m["metrics/"+k] = v
			}
			rows = append(rows, m)
			for k := range m {
				if !seen[k] {
					seen[k] = true
					found = append(found, k)
				}
			}
		}
		if len(cols) == 0 {
			sort.Strings(found)
			cols = append([]string{"id", "type", "name", "created_at", "input", "output"}, without(found, "id", "type", "name", "created_at", "input", "output")...)
		}
		w := csv.NewWriter(bw)
		_ = w.Write(cols)
		w.Flush()
		flushLine()
		for _, m := range rows {
			line := make([]string, len(cols))
			for i, col := range cols {
				line[i] = cell(m[col])
			}
			_ = w.Write(line)
			w.Flush()
			flushLine()
		}
	default:
		for _, r := range recs {
			var v any = r
			if format == "jsonl_flat" {
				m := map[string]any{}
				flatten("", asMap(r), m)
				v = m
			} else if b.ExportComputedMetricsOnly {
				m := asMap(r)
				v = map[string]any{"id": m["id"], "metrics": m["metrics"], "metric_info": m["metric_info"]}
			}
			line, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("encoding record: %w", err)
			}
			_, _ = bw.Write(line)
			_ = bw.WriteByte('\n')
			flushLine()
		}
	}
	_ = bw.Flush()
	return nil
}

func without(list []string, drop ...string) []string {
	out := list[:0:0]
	for _, x := range list {
		keep := true
		for _, d := range drop {
			if strings.EqualFold(x, d) {
				keep = false
			}
		}
		if keep {
			out = append(out, x)
		}
	}
	return out
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
