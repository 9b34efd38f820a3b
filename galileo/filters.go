package galileo

import "time"

// Typed builders of record filters (traces, spans, sessions), the Go
// counterparts of the Python SDK's galileo.shared.filter classes:
//
//	Python                              Go
//	text("input").equals("hi")          galileo.Text("input").Equals("hi")
//	text("x", case_sensitive=False)     galileo.Text("x").IgnoreCase()
//	number("score").between(0.5, 1)     galileo.Number("score").Between(0.5, 1)
//	date("created_at").after(t)         galileo.Date("created_at").After(t)
//	boolean("has_error").is_true()      galileo.Boolean("has_error").IsTrue()
//
// Each method returns a [Filter] with column_id, the operator the API
// expects and the filter's type tag ("text", "number", "date", "boolean"),
// ready for [QueryOptions].Filters or [ExportOptions].Filters. Column ids
// come from the available columns ([Experiment.TraceColumns] and its
// siblings), e.g. "input", "model" or "metrics/<scorer-uuid>".

// Record filter type tags (the "type" field of a record filter).
const (
	FilterTypeText    = "text"
	FilterTypeNumber  = "number"
	FilterTypeDate    = "date"
	FilterTypeBoolean = "boolean"
)

// TextFilter builds text filters on one column; see [Text].
type TextFilter struct {
	ColumnID string
	// IgnoringCase makes the filters case-insensitive (case_sensitive:
	// false); the default matches case, as in Python.
	IgnoringCase bool
}

// Text starts a case-sensitive text filter on a column, like the Python
// SDK's text(column_id).
func Text(columnID string) TextFilter { return TextFilter{ColumnID: columnID} }

// IgnoreCase returns the builder with case-insensitive matching
// (Python's case_sensitive=False).
func (f TextFilter) IgnoreCase() TextFilter { f.IgnoringCase = true; return f }

func (f TextFilter) filter(op string, v any) Filter {
	cs := !f.IgnoringCase
	return Filter{ColumnID: f.ColumnID, Operator: op, Value: v, CaseSensitive: &cs, Type: FilterTypeText}
}

// Equals matches the exact text (operator eq).
func (f TextFilter) Equals(v string) Filter { return f.filter("eq", v) }

// NotEquals matches any other text (operator ne).
func (f TextFilter) NotEquals(v string) Filter { return f.filter("ne", v) }

// Contains matches text containing v (operator contains).
func (f TextFilter) Contains(v string) Filter { return f.filter("contains", v) }

// OneOf matches any of the values (operator one_of).
func (f TextFilter) OneOf(values ...string) Filter { return f.filter("one_of", nonNil(values)) }

// NotIn matches none of the values (operator not_in).
func (f TextFilter) NotIn(values ...string) Filter { return f.filter("not_in", nonNil(values)) }

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// NumberFilter builds numeric filters on one column; see [Number].
type NumberFilter struct{ ColumnID string }

// Number starts a numeric filter on a column, like the Python SDK's
// number(column_id).
func Number(columnID string) NumberFilter { return NumberFilter{ColumnID: columnID} }

func (f NumberFilter) filter(op string, v any) Filter {
	return Filter{ColumnID: f.ColumnID, Operator: op, Value: v, Type: FilterTypeNumber}
}

// Equals matches v (operator eq).
func (f NumberFilter) Equals(v float64) Filter { return f.filter("eq", v) }

// NotEquals matches anything but v (operator ne).
func (f NumberFilter) NotEquals(v float64) Filter { return f.filter("ne", v) }

// GreaterThan matches values above v (operator gt).
func (f NumberFilter) GreaterThan(v float64) Filter { return f.filter("gt", v) }

// GreaterThanOrEqual matches values at or above v (operator gte).
func (f NumberFilter) GreaterThanOrEqual(v float64) Filter { return f.filter("gte", v) }

// LessThan matches values below v (operator lt).
func (f NumberFilter) LessThan(v float64) Filter { return f.filter("lt", v) }

// LessThanOrEqual matches values at or below v (operator lte).
func (f NumberFilter) LessThanOrEqual(v float64) Filter { return f.filter("lte", v) }

// Between matches values from lo to hi, both included (operator between).
func (f NumberFilter) Between(lo, hi float64) Filter { return f.filter("between", []float64{lo, hi}) }

// DateFilter builds date filters on one column; see [Date].
type DateFilter struct{ ColumnID string }

// Date starts a date filter on a column, like the Python SDK's
// date(column_id). Python also accepts date strings; parse them with
// time.Parse first.
func Date(columnID string) DateFilter { return DateFilter{ColumnID: columnID} }

func (f DateFilter) filter(op string, t time.Time) Filter {
	return Filter{ColumnID: f.ColumnID, Operator: op, Value: t, Type: FilterTypeDate}
}

// Equals matches the instant t (operator eq).
func (f DateFilter) Equals(t time.Time) Filter { return f.filter("eq", t) }

// NotEquals matches any other instant (operator ne).
func (f DateFilter) NotEquals(t time.Time) Filter { return f.filter("ne", t) }

// Before matches instants before t (operator lt).
func (f DateFilter) Before(t time.Time) Filter { return f.filter("lt", t) }

// After matches instants after t (operator gt).
func (f DateFilter) After(t time.Time) Filter { return f.filter("gt", t) }

// OnOrBefore matches t and earlier instants (operator lte).
func (f DateFilter) OnOrBefore(t time.Time) Filter { return f.filter("lte", t) }

// OnOrAfter matches t and later instants (operator gte).
func (f DateFilter) OnOrAfter(t time.Time) Filter { return f.filter("gte", t) }

// BooleanFilter builds boolean filters on one column; see [Boolean].
type BooleanFilter struct{ ColumnID string }

// Boolean starts a boolean filter on a column, like the Python SDK's
// boolean(column_id).
func Boolean(columnID string) BooleanFilter { return BooleanFilter{ColumnID: columnID} }

// Equals matches the value v (operator eq).
func (f BooleanFilter) Equals(v bool) Filter {
	return Filter{ColumnID: f.ColumnID, Operator: "eq", Value: v, Type: FilterTypeBoolean}
}

// IsTrue matches true values.
func (f BooleanFilter) IsTrue() Filter { return f.Equals(true) }

// IsFalse matches false values.
func (f BooleanFilter) IsFalse() Filter { return f.Equals(false) }
