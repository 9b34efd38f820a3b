package galileo_test

import (
	"slices"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

func TestReference_columns(t *testing.T) {
	w := newRefWorld(t, true)
	// experiment = Experiment.get(name="ml-evaluation", project_name="My AI Project")
	experiment := w.get("ml-evaluation", "My AI Project")
	ctx := w.ctx

	// def session_columns(self) -> ColumnCollection
	// columns = experiment.session_columns
	// model_column = columns["model"]
	columns, err := experiment.SessionColumns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	modelColumn := columns.Get("model")
	if modelColumn == nil || !modelColumn.Filterable {
		t.Fatalf("session_columns[\"model\"] = %+v (columns %v): want a filterable column", modelColumn, columns.IDs())
	}
	// The Python SDK's own use of it:
	// experiment.get_sessions(filters=[experiment.session_columns["model"].equals(...)])
	got, err := experiment.GetSessions(ctx, galileo.QueryOptions{Filters: []galileo.Filter{galileo.Text(modelColumn.ID).Equals(refModel)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != len(refRows) {
		t.Errorf("sessions with model %q: %d, want %d (every row ran on it)", refModel, len(got.Records), len(refRows))
	}
	none, err := experiment.GetSessions(ctx, galileo.QueryOptions{Filters: []galileo.Filter{galileo.Text("model").Equals("gpt-4o-mini")}})
	if err != nil || len(none.Records) != 0 {
		t.Errorf("sessions with model gpt-4o-mini: %v, %v: want none", none, err)
	}

	// def trace_columns(self) -> ColumnCollection
	// columns = experiment.trace_columns
	// input_column = columns["input"]
	// def span_columns(self) -> ColumnCollection
	// columns = experiment.span_columns
	// input_column = columns["input"]
	for rt, get := range map[galileo.RecordType]func() (galileo.ColumnCollection, error){
		galileo.RecordTrace: func() (galileo.ColumnCollection, error) { return experiment.TraceColumns(ctx) },
		galileo.RecordSpan:  func() (galileo.ColumnCollection, error) { return experiment.SpanColumns(ctx) },
	} {
		columns, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if inputColumn := columns.Get("input"); inputColumn == nil {
			t.Errorf("%s columns[\"input\"] is missing: %v", rt, columns.IDs())
		}
		if columns.Get("model") == nil {
			t.Errorf("%s columns[\"model\"] is missing: %v", rt, columns.IDs())
		}
	}
	traces, err := experiment.GetTraces(ctx, galileo.QueryOptions{Filters: []galileo.Filter{galileo.Text("model").IgnoreCase().OneOf("gpt-4o MINI", "gpt-4.1")}})
	if err != nil || len(traces.Records) != len(refRows) {
		t.Errorf("traces with model one_of (case-insensitive): %v, %v: want every trace", traces, err)
	}
}

func TestReference_query(t *testing.T) {
	w := newRefWorld(t, true)
	experiment := w.get("ml-evaluation", "My Project")
	ctx := w.ctx
	ids := func(r *galileo.LogRecordsQueryResponse) []string {
		var out []string
		for _, rec := range r.Records {
			out = append(out, rec.ID)
		}
		return out
	}

	// def query(self, record_type, filters=None, sort=None, limit=100, starting_token=0) -> QueryResult
	all, err := experiment.Query(ctx, galileo.RecordTrace, galileo.QueryOptions{Sort: &galileo.Sort{ColumnID: "created_at", Ascending: true}})
	if err != nil || len(all.Records) != len(refRows) {
		t.Fatalf("query(TRACE) = %v, %v: want %d traces", all, err, len(refRows))
	}
	first, err := experiment.Query(ctx, galileo.RecordTrace, galileo.QueryOptions{Sort: &galileo.Sort{ColumnID: "created_at", Ascending: true}, Limit: 1})
	if err != nil || len(first.Records) != 1 || first.NextStartingToken == nil {
		t.Fatalf("query(limit=1) = %v, %v: want one trace and a next token", first, err)
	}
	rest, err := experiment.Query(ctx, galileo.RecordTrace, galileo.QueryOptions{Sort: &galileo.Sort{ColumnID: "created_at", Ascending: true},
		Limit: 100, StartingToken: *first.NextStartingToken})
	if err != nil {
		t.Fatal(err)
	}
	if got := append(ids(first), ids(rest)...); !slices.Equal(got, ids(all)) {
		t.Errorf("pages %v, want %v", got, ids(all))
	}

	// def get_traces(self, filters=None, sort=None, limit=100, starting_token=0) -> QueryResult
	hits, err := experiment.GetTraces(ctx, galileo.QueryOptions{Filters: []galileo.Filter{galileo.Text("input").Contains("dropout")}})
	if err != nil || len(hits.Records) != 1 {
		t.Errorf("get_traces(text(input).contains(dropout)) = %v, %v: want one", hits, err)
	}
	long, err := experiment.GetTraces(ctx, galileo.QueryOptions{Filters: []galileo.Filter{galileo.Number("metrics/duration_ns").GreaterThan(0)}})
	if err != nil || len(long.Records) != len(refRows) {
		t.Errorf("get_traces(number(duration).greater_than(0)) = %v, %v: want every trace", long, err)
	}
	recent, err := experiment.GetTraces(ctx, galileo.QueryOptions{Filters: []galileo.Filter{galileo.Date("created_at").After(time.Now().Add(-time.Hour))}})
	if err != nil || len(recent.Records) != len(refRows) {
		t.Errorf("get_traces(date(created_at).after(an hour ago)) = %v, %v: want every trace", recent, err)
	}
	future, err := experiment.GetTraces(ctx, galileo.QueryOptions{Filters: []galileo.Filter{galileo.Date("created_at").OnOrAfter(time.Now().Add(time.Hour))}})
	if err != nil || len(future.Records) != 0 {
		t.Errorf("get_traces(date(created_at).on_or_after(in an hour)) = %v, %v: want none", future, err)
	}

	// def get_spans(self, filters=None, sort=None, limit=100, starting_token=0) -> QueryResult
	spans, err := experiment.GetSpans(ctx, galileo.QueryOptions{Filters: []galileo.Filter{galileo.Text("type").Equals("llm")}})
	if err != nil || len(spans.Records) != len(refRows) {
		t.Errorf("get_spans(type == llm) = %v, %v: want one LLM span per row", spans, err)
	}
	for _, s := range spans.Records {
		if s.Type != "llm" || s.Model == nil || *s.Model != refModel {
			t.Errorf("span %s: type %q model %v: want an llm span on %s", s.ID, s.Type, s.Model, refModel)
		}
	}

	// def get_sessions(self, filters=None, sort=None, limit=100, starting_token=0) -> QueryResult
	sessions, err := experiment.GetSessions(ctx, galileo.QueryOptions{Limit: 2})
	if err != nil || len(sessions.Records) != 2 {
		t.Errorf("get_sessions(limit=2) = %v, %v: want two sessions", sessions, err)
	}
}

func TestReference_export_records(t *testing.T) {
	// def export_records(self, record_type=RecordType.TRACE, filters=None,
	//     sort=LogRecordsSortClause(column_id='created_at', ascending=False),
	//     export_format=LLMExportFormat.JSONL, column_ids=None, redact=True) -> Iterator[dict[str, Any]]
	w := newRefWorld(t, true)
	experiment := w.get("ml-evaluation", "My Project")
	var inputs []string
	for rec, err := range experiment.ExportRecords(w.ctx, galileo.ExportOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		in, _ := rec["input"].(string)
		inputs = append(inputs, in)
	}
	if len(inputs) != len(refRows) {
		t.Errorf("export_records() gave %d records, want %d traces", len(inputs), len(refRows))
	}
	var csvRows []map[string]any
	for rec, err := range experiment.ExportRecords(w.ctx, galileo.ExportOptions{Format: galileo.ExportCSV, ColumnIDs: []string{"id", "input"},
		Filters: []galileo.Filter{galileo.Text("input").NotIn("What is dropout?")}}) {
		if err != nil {
			t.Fatal(err)
		}
		csvRows = append(csvRows, rec)
	}
	if len(csvRows) != len(refRows)-1 {
		t.Errorf("export_records(csv, filters=[input not_in ...]) = %v: want %d rows", csvRows, len(refRows)-1)
	}
	for _, r := range csvRows {
		if len(r) != 2 || r["input"] == "What is dropout?" {
			t.Errorf("csv row %v: want the columns id and input, without the filtered row", r)
		}
	}
}
