package galileo

import (
	"context"
	"iter"
)

// ExperimentColumns returns the columns of the project's experiments table
// (POST /projects/{pid}/experiments/available_columns). Metric columns
// ("metrics/<scorer uuid>") carry the label and metric_key_alias that name
// the keys of [Experiment.MetricAggregates].
func (e *Experiment) ExperimentColumns(ctx context.Context) (ColumnCollection, error) {
	r, err := e.snapshot()
	if err != nil {
		return nil, err
	}
	return e.c.Experiments.AvailableColumns(ctx, r.ProjectID)
}

// TraceColumns returns the columns available for this experiment's traces.
func (e *Experiment) TraceColumns(ctx context.Context) (ColumnCollection, error) {
	return e.recordColumns(ctx, RecordTrace)
}

// SpanColumns returns the columns available for this experiment's spans.
func (e *Experiment) SpanColumns(ctx context.Context) (ColumnCollection, error) {
	return e.recordColumns(ctx, RecordSpan)
}

// SessionColumns returns the columns available for this experiment's sessions.
func (e *Experiment) SessionColumns(ctx context.Context) (ColumnCollection, error) {
	return e.recordColumns(ctx, RecordSession)
}

func (e *Experiment) recordColumns(ctx context.Context, rt RecordType) (ColumnCollection, error) {
	r, err := e.snapshot()
	if err != nil {
		return nil, err
	}
	return e.c.Records.Columns(ctx, r.ProjectID, rt, r.ID)
}

// QueryOptions select records for [Experiment.Query]. Filters are record
// filters (ColumnID and Type set); a zero Limit means 100.
type QueryOptions struct {
	Filters       []Filter
	Sort          *Sort
	Limit         int
	StartingToken int
}

func (e *Experiment) queryRequest(eid string, o QueryOptions) LogRecordsQueryRequest {
	return LogRecordsQueryRequest{StartingToken: o.StartingToken, Limit: o.Limit, ExperimentID: &eid, Filters: o.Filters, Sort: o.Sort}
}

// Query returns one page of this experiment's records of type rt
// (POST /projects/{pid}/{traces|spans|sessions}/search). The response's
// NextStartingToken, when not nil, is the StartingToken of the next page.
func (e *Experiment) Query(ctx context.Context, rt RecordType, o QueryOptions) (*LogRecordsQueryResponse, error) {
	r, err := e.snapshot()
	if err != nil {
		return nil, err
	}
	return e.c.Records.Search(ctx, r.ProjectID, rt, e.queryRequest(r.ID, o))
}

// QueryAll iterates over every matching record of type rt, page by page.
func (e *Experiment) QueryAll(ctx context.Context, rt RecordType, o QueryOptions) iter.Seq2[Record, error] {
	r, err := e.snapshot()
	if err != nil {
		return func(yield func(Record, error) bool) { yield(Record{}, err) }
	}
	return e.c.Records.All(ctx, r.ProjectID, rt, e.queryRequest(r.ID, o))
}

// GetTraces is Query for traces.
func (e *Experiment) GetTraces(ctx context.Context, o QueryOptions) (*LogRecordsQueryResponse, error) {
	return e.Query(ctx, RecordTrace, o)
}

// GetSpans is Query for spans.
func (e *Experiment) GetSpans(ctx context.Context, o QueryOptions) (*LogRecordsQueryResponse, error) {
	return e.Query(ctx, RecordSpan, o)
}

// GetSessions is Query for sessions.
func (e *Experiment) GetSessions(ctx context.Context, o QueryOptions) (*LogRecordsQueryResponse, error) {
	return e.Query(ctx, RecordSession, o)
}

// ExportOptions select what [Experiment.ExportRecords] exports. The zero
// value exports traces as jsonl, newest first, redacted, like the Python SDK.
type ExportOptions struct {
	// RecordType is trace (default), span or session.
	RecordType RecordType
	Filters    []Filter
	// Sort defaults to created_at descending.
	Sort *Sort
	// Format is jsonl (default), jsonl_flat or csv.
	Format ExportFormat
	// ColumnIDs choose the columns of a csv export.
	ColumnIDs []string
	// NoRedact asks for unredacted values (redact=false).
	NoRedact bool
}

// ExportRecords streams this experiment's records
// (POST /projects/{pid}/export_records with the experiment id in
// log_stream_id, as the Python SDK sends it), decoding each line as it
// arrives so memory stays constant. For csv, each row is a map from column
// header to its string value.
func (e *Experiment) ExportRecords(ctx context.Context, o ExportOptions) iter.Seq2[map[string]any, error] {
	r, err := e.snapshot()
	if err != nil {
		return func(yield func(map[string]any, error) bool) { yield(nil, err) }
	}
	eid := r.ID
	req := LogRecordsExportRequest{
		RootType: o.RecordType, ColumnIDs: o.ColumnIDs, Redact: !o.NoRedact,
		LogStreamID: &eid, Filters: o.Filters, Sort: o.Sort,
	}
	if req.Sort == nil {
		req.Sort = &Sort{ColumnID: "created_at", Ascending: false, SortType: "column"}
	}
	if o.Format != ExportCSV {
		req.ExportFormat = o.Format
		return e.c.Records.Export(ctx, r.ProjectID, req)
	}
	return func(yield func(map[string]any, error) bool) {
		for row, err := range e.c.Records.ExportCSV(ctx, r.ProjectID, req) {
			if err != nil {
				yield(nil, err)
				return
			}
			m := make(map[string]any, len(row))
			for k, v := range row {
				m[k] = v
			}
			if !yield(m, nil) {
				return
			}
		}
	}
}
