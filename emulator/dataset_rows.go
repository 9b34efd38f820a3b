package emulator

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// normalizeValue turns an uploaded cell into what dataset rows can hold: a
// string, a number, null, or a flat object of those. Booleans become
// "true"/"false"; lists and nested objects become JSON text.
func normalizeValue(v any, top bool) any {
	switch x := v.(type) {
	case nil, string, float64:
		return x
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case map[string]any:
		if !top {
			b, _ := json.Marshal(x)
			return string(b)
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeValue(e, false)
		}
		return out
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// parseRows reads an uploaded file. Columns are the union of every row's
// keys in first-seen order; a missing cell is null. ground_truth is stored
// as output (Galileo's name for the ground-truth column).
func parseRows(format string, data []byte) ([]string, []map[string]any, error) {
	var raw []map[string]any
	var err error
	switch format {
	case "", "csv":
		header, rows, err := csvRows(data)
		if err != nil {
			return nil, nil, err
		}
		return finishRows(header, rows)
	case "jsonl":
		raw, err = jsonlRows(data)
	case "json":
		raw, err = jsonRows(data)
	case "feather":
		return nil, nil, invalid("value_error", "the emulator does not read feather files; upload csv, json or jsonl", "query", "format")
	default:
		return nil, nil, invalid("enum", "Input should be 'csv', 'feather', 'json' or 'jsonl'", "query", "format")
	}
	if err != nil {
		return nil, nil, err
	}
	return finishRows(unionColumns(raw), raw)
}

// badFile is the 422 of an upload that cannot be read.
func badFile(msg string) error { return invalid("value_error", msg, "file") }

// csvRows reads a CSV file: its header and one row per line after it.
func csvRows(data []byte) ([]string, []map[string]any, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 0
	recs, err := r.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			return nil, nil, badFile(fmt.Sprintf("CSV line %d has a different number of fields than the header", pe.Line))
		}
		return nil, nil, badFile("invalid CSV: " + err.Error())
	}
	if len(recs) == 0 {
		return nil, nil, badFile("the CSV file is empty: expected a header line")
	}
	header := recs[0]
	var raw []map[string]any
	for _, rec := range recs[1:] {
		m := make(map[string]any, len(header))
		for i, h := range header {
			m[h] = rec[i]
		}
		raw = append(raw, m)
	}
	return header, raw, nil
}

// jsonlRows reads one JSON object per non-blank line.
func jsonlRows(data []byte) ([]map[string]any, error) {
	var raw []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		t := bytes.TrimSpace(sc.Bytes())
		if len(t) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(t, &m); err != nil {
			return nil, badFile(fmt.Sprintf("JSONL line %d: expected a JSON object: %v", line, err))
		}
		raw = append(raw, m)
	}
	if err := sc.Err(); err != nil {
		return nil, badFile("reading JSONL: " + err.Error())
	}
	return raw, nil
}

// jsonRows reads a JSON array of objects, or an object of columns (name to
// list of values).
func jsonRows(data []byte) ([]map[string]any, error) {
	var raw []map[string]any
	err := json.Unmarshal(data, &raw)
	if err == nil {
		return raw, nil
	}
	var cols map[string][]any
	if json.Unmarshal(data, &cols) != nil {
		return nil, badFile("expected a JSON array of objects: " + err.Error())
	}
	for k, vs := range cols {
		for i, v := range vs {
			for len(raw) <= i {
				raw = append(raw, map[string]any{})
			}
			raw[i][k] = v
		}
	}
	return raw, nil
}

// unionColumns is the union of the rows' keys in first-seen order, the
// keys of each row sorted (objects carry no order; the emulator stays
// deterministic) with the well-known columns first.
func unionColumns(raw []map[string]any) []string {
	var order []string
	seen := map[string]bool{}
	for _, m := range raw {
		for _, k := range preferred(sortedKeys(m)) {
			if !seen[k] {
				seen[k] = true
				order = append(order, k)
			}
		}
	}
	return order
}

// preferred puts the well-known columns first.
func preferred(keys []string) []string {
	rank := map[string]int{"input": 0, "output": 1, "ground_truth": 1, "generated_output": 2, "metadata": 3}
	slices.SortStableFunc(keys, func(a, b string) int {
		ra, oka := rank[a]
		rb, okb := rank[b]
		switch {
		case oka && okb:
			return ra - rb
		case oka:
			return -1
		case okb:
			return 1
		}
		return 0
	})
	return keys
}

func finishRows(cols []string, raw []map[string]any) ([]string, []map[string]any, error) {
	hasOutput := slices.Contains(cols, "output")
	rename := !hasOutput && slices.Contains(cols, "ground_truth")
	out := make([]string, 0, len(cols))
	for _, c := range cols {
		if rename && c == "ground_truth" {
			c = "output"
		}
		out = append(out, c)
	}
	rows := make([]map[string]any, 0, len(raw))
	for _, m := range raw {
		if len(m) == 0 {
			continue // the SDKs upload an empty row list as one {}
		}
		row := make(map[string]any, len(out))
		for _, c := range cols {
			v := m[c]
			if rename && c == "ground_truth" {
				c = "output"
			}
			row[c] = normalizeValue(v, true)
		}
		rows = append(rows, row)
	}
	return out, rows, nil
}

func normalizeRow(vals map[string]any) map[string]any {
	out := make(map[string]any, len(vals))
	for k, v := range vals {
		if k == "ground_truth" {
			if _, ok := vals["output"]; !ok {
				k = "output"
			}
		}
		out[k] = normalizeValue(v, true)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// textOf renders a stored value as text: strings as they are, anything
// else as JSON.
func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any:
		if c, ok := x["content"].(string); ok && len(x) <= 4 {
			if _, hasRole := x["role"]; hasRole {
				return c
			}
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
