package galileo

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
)

// RecordsService searches, counts and exports logged records (traces,
// spans, sessions) of a project's experiments and log streams.
type RecordsService struct {
	c       *Client
	maxLine int // the longest export line; 0 means MaxExportLine (tests lower it)
}

// MaxExportLine is the longest line [RecordsService.Export] accepts; a longer
// line ends the export with an error rather than growing memory without
// bound.
const MaxExportLine = 64 << 20

// LogRecordsQueryCountRequest is the body of POST /projects/{pid}/{traces|spans|sessions}/count.
type LogRecordsQueryCountRequest struct {
	LogStreamID  *string  `json:"log_stream_id"`
	ExperimentID *string  `json:"experiment_id"`
	Filters      []Filter `json:"filters"`
}

// LogRecordsQueryCountResponse is the body returned by the count routes.
type LogRecordsQueryCountResponse struct {
	TotalCount int `json:"total_count"`
}

// recordsPath returns /projects/{pid}/{traces|spans|sessions}.
func recordsPath(projectID string, rt RecordType) (string, error) {
	var seg string
	switch rt {
	case RecordTrace:
		seg = "traces"
	case RecordSpan:
		seg = "spans"
	case RecordSession:
		seg = "sessions"
	default:
		return "", fmt.Errorf("galileo: record type %q: expected %q, %q or %q", rt, RecordTrace, RecordSpan, RecordSession)
	}
	return "/projects/" + url.PathEscape(projectID) + "/" + seg, nil
}

// Search returns one page of records (POST /projects/{pid}/{traces|spans|sessions}/search).
// Set exactly one of ExperimentID and LogStreamID. A zero Limit asks for
// DefaultPageSize records. Record filters name the column with ColumnID and
// set Type (text, number, date, boolean, id, collection).
func (s *RecordsService) Search(ctx context.Context, projectID string, rt RecordType, req LogRecordsQueryRequest) (*LogRecordsQueryResponse, error) {
	if err := requireIDs("Records.Search", "project", projectID); err != nil {
		return nil, err
	}
	path, err := recordsPath(projectID, rt)
	if err != nil {
		return nil, err
	}
	if req.Limit == 0 {
		req.Limit = DefaultPageSize
	}
	if req.Filters == nil {
		req.Filters = []Filter{}
	}
	var out LogRecordsQueryResponse
	if _, err := s.c.call(ctx, &request{method: http.MethodPost, path: path + "/search", body: req, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// All iterates over every record matching req, from req.StartingToken on,
// one page (req.Limit records) at a time.
func (s *RecordsService) All(ctx context.Context, projectID string, rt RecordType, req LogRecordsQueryRequest) iter.Seq2[Record, error] {
	return paginate(ctx, req.StartingToken, func(ctx context.Context, start int) ([]Record, *int, error) {
		r := req
		r.StartingToken = start
		page, err := s.Search(ctx, projectID, rt, r)
		if err != nil {
			return nil, nil, err
		}
		return page.Records, page.NextStartingToken, nil
	})
}

// Columns returns the columns available for records of an experiment
// (POST /projects/{pid}/{traces|spans|sessions}/available_columns with the
// experiment id in log_stream_id, as the SDKs send it). An empty
// experimentID asks for the project's columns.
func (s *RecordsService) Columns(ctx context.Context, projectID string, rt RecordType, experimentID string) (ColumnCollection, error) {
	if err := requireIDs("Records.Columns", "project", projectID); err != nil {
		return nil, err
	}
	path, err := recordsPath(projectID, rt)
	if err != nil {
		return nil, err
	}
	var body AvailableColumnsRequest
	if experimentID != "" {
		body.LogStreamID = &experimentID
	}
	var out ColumnsResponse
	if _, err := s.c.call(ctx, &request{method: http.MethodPost, path: path + "/available_columns", body: body, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return ColumnCollection(out.Columns), nil
}

// Count returns how many records match req
// (POST /projects/{pid}/{traces|spans|sessions}/count). The API notes the
// count may be slightly inaccurate.
func (s *RecordsService) Count(ctx context.Context, projectID string, rt RecordType, req LogRecordsQueryCountRequest) (int, error) {
	if err := requireIDs("Records.Count", "project", projectID); err != nil {
		return 0, err
	}
	path, err := recordsPath(projectID, rt)
	if err != nil {
		return 0, err
	}
	if req.Filters == nil {
		req.Filters = []Filter{}
	}
	var out LogRecordsQueryCountResponse
	if _, err := s.c.call(ctx, &request{method: http.MethodPost, path: path + "/count", body: req, idempotent: true}, &out); err != nil {
		return 0, err
	}
	return out.TotalCount, nil
}

// exportRequest fills the defaults of an export request.
func exportRequest(req LogRecordsExportRequest, format ExportFormat) LogRecordsExportRequest {
	if req.RootType == "" {
		req.RootType = RecordTrace
	}
	if req.Filters == nil {
		req.Filters = []Filter{}
	}
	req.ExportFormat = format
	return req
}

// openExport starts POST /projects/{pid}/export_records and returns the
// open answer.
func (s *RecordsService) openExport(ctx context.Context, projectID string, req LogRecordsExportRequest) (*http.Response, error) {
	if err := requireIDs("Records.Export", "project", projectID); err != nil {
		return nil, err
	}
	if _, err := recordsPath(projectID, req.RootType); err != nil {
		return nil, err
	}
	return s.c.stream(ctx, &request{method: http.MethodPost, path: "/projects/" + url.PathEscape(projectID) + "/export_records", body: req, idempotent: true})
}

// Export streams records as JSON objects (POST /projects/{pid}/export_records),
// one per line of the answer, in constant memory: each line is decoded as it
// arrives and nothing else is kept. ExportFormat may be jsonl (the default)
// or jsonl_flat; use [RecordsService.ExportCSV] for csv. RootType defaults to
// trace. Stopping the loop early closes the connection.
func (s *RecordsService) Export(ctx context.Context, projectID string, req LogRecordsExportRequest) iter.Seq2[map[string]any, error] {
	return func(yield func(map[string]any, error) bool) {
		for line, err := range s.ExportRaw(ctx, projectID, req) {
			if err != nil {
				yield(nil, err)
				return
			}
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				yield(nil, fmt.Errorf("galileo: export: decoding a record: %w", err))
				return
			}
			if !yield(m, nil) {
				return
			}
		}
	}
}

// ExportRaw is [RecordsService.Export] without decoding: it yields each
// non-empty line as it is. The slice is only valid until the next iteration
// (it points into the read buffer); copy it to keep it.
func (s *RecordsService) ExportRaw(ctx context.Context, projectID string, req LogRecordsExportRequest) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		format := req.ExportFormat
		if format == "" {
			format = ExportJSONL
		}
		if format != ExportJSONL && format != ExportJSONLFlat {
			yield(nil, fmt.Errorf("galileo: export: format %q: expected %q or %q (use ExportCSV for %q)", format, ExportJSONL, ExportJSONLFlat, ExportCSV))
			return
		}
		resp, err := s.openExport(ctx, projectID, exportRequest(req, format))
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		lr := newLineReader(resp.Body, cmp.Or(s.maxLine, MaxExportLine))
		for n := 1; ; n++ {
			line, err := lr.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, fmt.Errorf("galileo: export: line %d: %w", n, err))
				return
			}
			line = bytes.TrimSpace(line)
			if len(line) == 0 {
				continue
			}
			if !yield(json.RawMessage(line), nil) {
				return
			}
		}
	}
}

// ExportCSV streams a csv export (POST /projects/{pid}/export_records with
// export_format csv): the first line is the header and each further row is
// yielded as a map from header to value. ColumnIDs choose the columns.
func (s *RecordsService) ExportCSV(ctx context.Context, projectID string, req LogRecordsExportRequest) iter.Seq2[map[string]string, error] {
	return func(yield func(map[string]string, error) bool) {
		resp, err := s.openExport(ctx, projectID, exportRequest(req, ExportCSV))
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		cr := csv.NewReader(bufio.NewReader(resp.Body))
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			yield(nil, fmt.Errorf("galileo: csv export: reading the header: %w", err))
			return
		}
		header = append([]string(nil), header...)
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, fmt.Errorf("galileo: csv export: %w", err))
				return
			}
			row := make(map[string]string, len(header))
			for i, h := range header {
				row[h] = rec[i]
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}

// lineReader reads newline-terminated lines of any length up to max bytes,
// reusing one buffer for lines longer than the bufio buffer.
type lineReader struct {
	r   *bufio.Reader
	buf []byte
	max int
}

// lineBufSize is the read buffer; longer lines are assembled in lineReader.buf.
const lineBufSize = 64 << 10

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, lineBufSize), max: max}
}

// errLineTooLong is wrapped when a line exceeds the reader's maximum.
var errLineTooLong = errors.New("line too long")

// next returns the next line without its newline. The slice is valid until
// the following call. It returns io.EOF after the last line.
func (l *lineReader) next() ([]byte, error) {
	if cap(l.buf) > 4*lineBufSize {
		l.buf = nil // do not keep the memory of one huge line
	}
	l.buf = l.buf[:0]
	for {
		chunk, err := l.r.ReadSlice('\n')
		switch {
		case err == nil && len(l.buf) == 0:
			if len(chunk) > l.max+1 {
				return nil, fmt.Errorf("%w: over %d bytes", errLineTooLong, l.max)
			}
			return chunk[:len(chunk)-1], nil
		case err == nil || err == bufio.ErrBufferFull || (err == io.EOF && len(chunk)+len(l.buf) > 0):
			if len(l.buf)+len(chunk) > l.max+1 {
				return nil, fmt.Errorf("%w: over %d bytes", errLineTooLong, l.max)
			}
			l.buf = append(l.buf, chunk...)
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == nil {
				return l.buf[:len(l.buf)-1], nil
			}
			return l.buf, nil // last line without a newline; EOF comes next
		default:
			return nil, err
		}
	}
}
