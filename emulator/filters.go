package emulator

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// listFilter is one filter of a query, search or list body. The column is
// named by name or column_id (both spellings occur); unknown keys such as
// filter_type are ignored.
type listFilter struct {
	Name          string `json:"name"`
	ColumnID      string `json:"column_id"`
	Operator      string `json:"operator"`
	Value         any    `json:"value"`
	CaseSensitive *bool  `json:"case_sensitive"`
	Strict        *bool  `json:"strict"`
	Type          string `json:"type"`
}

func (f listFilter) column() string {
	if f.ColumnID != "" {
		return f.ColumnID
	}
	return f.Name
}

func (f listFilter) op(def string) string {
	if f.Operator == "" {
		return def
	}
	return f.Operator
}

func (f listFilter) caseSensitive(def bool) bool {
	if f.CaseSensitive == nil {
		return def
	}
	return *f.CaseSensitive
}

// listSort orders a query; the column is name or column_id.
type listSort struct {
	Name      string `json:"name"`
	ColumnID  string `json:"column_id"`
	Ascending *bool  `json:"ascending"`
	SortType  string `json:"sort_type"`
}

func (s *listSort) column(def string) string {
	switch {
	case s == nil:
		return def
	case s.ColumnID != "":
		return s.ColumnID
	case s.Name != "":
		return s.Name
	}
	return def
}

func (s *listSort) ascending(def bool) bool {
	if s == nil || s.Ascending == nil {
		return def
	}
	return *s.Ascending
}

// listBody is the body of the POST .../query and /scorers/list routes.
type listBody struct {
	Filters []listFilter `json:"filters"`
	Sort    *listSort    `json:"sort"`
}

func filterLoc(i int, field string) []any { return []any{"filters", i, field} }

// strings of a filter value: a string or a list of strings.
func filterStrings(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// matchText applies a text operator to got.
func matchText(i int, f listFilter, got string, defCase bool) (bool, error) {
	vals, ok := filterStrings(f.Value)
	if !ok {
		return false, invalid("string_type", "Input should be a valid string or a list of strings", filterLoc(i, "value")...)
	}
	cs := f.caseSensitive(defCase)
	norm := func(s string) string {
		if cs {
			return s
		}
		return strings.ToLower(s)
	}
	g := norm(got)
	anyEq := func() bool {
		for _, v := range vals {
			if norm(v) == g {
				return true
			}
		}
		return false
	}
	switch f.op("eq") {
	case "eq", "one_of":
		return anyEq(), nil
	case "ne", "not_in":
		return !anyEq(), nil
	case "contains":
		for _, v := range vals {
			if strings.Contains(g, norm(v)) {
				return true, nil
			}
		}
		return false, nil
	}
	return false, invalid("literal_error", fmt.Sprintf("Input should be 'eq', 'ne', 'contains', 'one_of' or 'not_in', got %q", f.Operator), filterLoc(i, "operator")...)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// matchNumber applies a number operator to got.
func matchNumber(i int, f listFilter, got float64) (bool, error) {
	op := f.op("eq")
	if op == "between" {
		arr, ok := f.Value.([]any)
		if !ok || len(arr) != 2 {
			return false, invalid("value_error", "between expects a list of two numbers", filterLoc(i, "value")...)
		}
		lo, ok1 := toFloat(arr[0])
		hi, ok2 := toFloat(arr[1])
		if !ok1 || !ok2 {
			return false, invalid("float_type", "Input should be a valid number", filterLoc(i, "value")...)
		}
		return got >= lo && got <= hi, nil
	}
	want, ok := toFloat(f.Value)
	if !ok {
		return false, invalid("float_type", "Input should be a valid number", filterLoc(i, "value")...)
	}
	const eps = 1e-9
	switch op {
	case "eq":
		return math.Abs(got-want) <= eps, nil
	case "ne":
		return math.Abs(got-want) > eps, nil
	case "gt":
		return got > want, nil
	case "gte":
		return got >= want-eps, nil
	case "lt":
		return got < want, nil
	case "lte":
		return got <= want+eps, nil
	}
	return false, invalid("literal_error", fmt.Sprintf("Input should be 'eq', 'ne', 'gt', 'gte', 'lt', 'lte' or 'between', got %q", f.Operator), filterLoc(i, "operator")...)
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// matchDate applies a date operator to got.
func matchDate(i int, f listFilter, got time.Time) (bool, error) {
	s, _ := f.Value.(string)
	want, ok := parseTime(s)
	if !ok {
		return false, invalid("datetime_from_date_parsing", "Input should be a valid datetime", filterLoc(i, "value")...)
	}
	switch f.op("eq") {
	case "eq":
		return got.Equal(want), nil
	case "ne":
		return !got.Equal(want), nil
	case "gt":
		return got.After(want), nil
	case "gte":
		return !got.Before(want), nil
	case "lt":
		return got.Before(want), nil
	case "lte":
		return !got.After(want), nil
	}
	return false, invalid("literal_error", fmt.Sprintf("Input should be 'eq', 'ne', 'gt', 'gte', 'lt' or 'lte', got %q", f.Operator), filterLoc(i, "operator")...)
}

// matchBool applies a boolean operator to got.
func matchBool(i int, f listFilter, got bool) (bool, error) {
	want, ok := f.Value.(bool)
	if !ok {
		if s, isStr := f.Value.(string); isStr {
			want, ok = parseBool(s)
		}
	}
	if !ok {
		return false, invalid("bool_type", "Input should be a valid boolean", filterLoc(i, "value")...)
	}
	if f.op("eq") == "ne" {
		return got != want, nil
	}
	return got == want, nil
}

// sortBy sorts items stably with less, reversed when descending.
func sortBy[T any](items []T, ascending bool, less func(a, b T) int) {
	sort.SliceStable(items, func(i, j int) bool {
		c := less(items[i], items[j])
		if ascending {
			return c < 0
		}
		return c > 0
	})
}

func cmpTime(a, b time.Time) int { return a.Compare(b) }

// filterItems keeps the items every filter matches. match answers one filter
// for one item; every filter is checked on every item, so a malformed filter
// is an error even after an earlier filter has rejected the item.
func filterItems[T any](items []T, filters []listFilter, match func(i int, f listFilter, item T) (bool, error)) ([]T, error) {
	var out []T
	for _, item := range items {
		ok := true
		for i, f := range filters {
			m, err := match(i, f, item)
			if err != nil {
				return nil, err
			}
			ok = ok && m
		}
		if ok {
			out = append(out, item)
		}
	}
	return out, nil
}

// matchProject answers the used_in_project and not_in_project filters of
// the dataset and prompt template lists; handled is false for any other
// column.
func matchProject(f listFilter, projectIDs []string) (m, handled bool) {
	p, _ := f.Value.(string)
	switch f.column() {
	case "used_in_project":
		return slices.Contains(projectIDs, p), true
	case "not_in_project":
		return !slices.Contains(projectIDs, p), true
	}
	return false, false
}

// listKeys are the sort keys that the project, dataset, prompt template
// and experiment lists share.
type listKeys struct {
	name             string
	created, updated time.Time
}

// cmp orders k before o by the list column col: name, updated_at, else
// created_at.
func (k listKeys) cmp(col string, o listKeys) int {
	switch col {
	case "name":
		return strings.Compare(k.name, o.name)
	case "updated_at":
		return cmpTime(k.updated, o.updated)
	}
	return cmpTime(k.created, o.created)
}

// pageOf cuts page pg out of list and renders it with conv. The rendered
// slice is never nil, so it encodes as [].
func pageOf[T, R any](pg page, list []T, conv func(T) R) ([]R, pageEnvelope) {
	lo, hi, env := pg.cut(len(list))
	out := make([]R, 0, hi-lo)
	for _, item := range list[lo:hi] {
		out = append(out, conv(item))
	}
	return out, env
}
