package galileo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

func TestRecordsService_Search(t *testing.T) {
	for _, rt := range []RecordType{RecordTrace, RecordSpan, RecordSession} {
		t.Run(string(rt), func(t *testing.T) {
			f := newFakeAPI(t)
			pid, eid := newID(), newID()
			f.handle("POST /projects/{project_id}/"+string(rt)+"s/search", func(w http.ResponseWriter, r *http.Request) {
				body := rawBody(t, r)
				if body["limit"] != float64(100) || body["experiment_id"] != eid || body["log_stream_id"] != nil {
					t.Errorf("body %v: want limit 100 and experiment_id %s", body, eid)
				}
				if flt, ok := body["filters"].([]any); !ok || len(flt) != 0 {
					t.Errorf("filters %v: want an empty list, not null", body["filters"])
				}
				serveJSON(w, 200, map[string]any{"records": []any{fxTraceRecord(pid, eid, "q")}, "next_starting_token": nil,
					"starting_token": 0, "limit": 100, "paginated": false})
			})
			res, err := f.client().Records.Search(t.Context(), pid, rt, LogRecordsQueryRequest{ExperimentID: &eid})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Records) != 1 || res.Records[0].Input != "q" || res.Records[0].RunID != eid {
				t.Errorf("records %+v: want one with input q", res.Records)
			}
		})
	}
}

func TestRecordsService_Search_badType(t *testing.T) {
	f := newFakeAPI(t)
	_, err := f.client().Records.Search(t.Context(), newID(), "llm", LogRecordsQueryRequest{})
	if err == nil || !strings.Contains(err.Error(), `record type "llm"`) {
		t.Errorf("error %v: want one naming the record type", err)
	}
}

func TestRecordsService_All(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	f.handle("POST /projects/{project_id}/traces/search", func(w http.ResponseWriter, r *http.Request) {
		body := decodeBody[LogRecordsQueryRequest](t, r)
		if body.Limit != 2 {
			t.Errorf("limit %d, want 2", body.Limit)
		}
		recs := []any{}
		var next any
		switch body.StartingToken {
		case 0:
			recs, next = append(recs, fxTraceRecord(pid, eid, "a"), fxTraceRecord(pid, eid, "b")), 2
		case 2:
			recs = append(recs, fxTraceRecord(pid, eid, "c"))
		}
		serveJSON(w, 200, map[string]any{"records": recs, "next_starting_token": next, "starting_token": body.StartingToken, "limit": 2})
	})
	var inputs []string
	for rec, err := range f.client().Records.All(t.Context(), pid, RecordTrace, LogRecordsQueryRequest{ExperimentID: &eid, Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, rec.Input.(string))
	}
	if strings.Join(inputs, "") != "abc" {
		t.Errorf("got %v, want a b c", inputs)
	}
}

func TestRecordsService_Columns(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	f.handle("POST /projects/{project_id}/spans/available_columns", func(w http.ResponseWriter, r *http.Request) {
		body := rawBody(t, r)
		if body["log_stream_id"] != eid || len(body) != 1 {
			t.Errorf("body %v: want only log_stream_id %s", body, eid)
		}
		serveJSON(w, 200, ColumnsResponse{Columns: []ColumnInfo{{ID: "input", Category: "standard", DataType: ptr("text")}}})
	})
	cols, err := f.client().Records.Columns(t.Context(), pid, RecordSpan, eid)
	if err != nil || cols.Get("input") == nil {
		t.Fatalf("Columns = %+v, %v; want the input column", cols, err)
	}
}

func TestRecordsService_Count(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	f.handle("POST /projects/{project_id}/sessions/count", func(w http.ResponseWriter, r *http.Request) {
		body := rawBody(t, r)
		if body["experiment_id"] != eid {
			t.Errorf("body %v: want experiment_id", body)
		}
		serveJSON(w, 200, LogRecordsQueryCountResponse{TotalCount: 42})
	})
	n, err := f.client().Records.Count(t.Context(), pid, RecordSession, LogRecordsQueryCountRequest{ExperimentID: &eid})
	if err != nil || n != 42 {
		t.Fatalf("Count = %d, %v; want 42", n, err)
	}
}

// serveExport registers an export handler that checks the request and writes body.
func serveExport(t *testing.T, f *fakeAPI, wantFormat ExportFormat, body string) {
	f.handle("POST /projects/{project_id}/export_records", func(w http.ResponseWriter, r *http.Request) {
		req := decodeBody[LogRecordsExportRequest](t, r)
		if req.ExportFormat != wantFormat || req.RootType == "" || req.Filters == nil {
			t.Errorf("request %+v: want format %s, a root type and a filters list", req, wantFormat)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	})
}

func TestRecordsService_Export(t *testing.T) {
	long := strings.Repeat("x", 200<<10) // longer than the read buffer
	tests := []struct {
		name    string
		body    string
		want    []string // values of "input"
		wantErr string
	}{
		{"lines", "{\"input\":\"a\"}\n{\"input\":\"b\"}\n", []string{"a", "b"}, ""},
		{"blank lines and CRLF skipped", "{\"input\":\"a\"}\r\n\n  \n{\"input\":\"b\"}", []string{"a", "b"}, ""},
		{"line longer than the buffer", "{\"input\":\"" + long + "\"}\n{\"input\":\"b\"}\n", []string{long, "b"}, ""},
		{"empty export", "", nil, ""},
		{"bad line", "{\"input\":\"a\"}\nnot json\n", []string{"a"}, "decoding a record"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			serveExport(t, f, ExportJSONL, tc.body)
			var got []string
			var gotErr error
			eid := newID()
			for rec, err := range f.client().Records.Export(t.Context(), newID(), LogRecordsExportRequest{ExperimentID: &eid}) {
				if err != nil {
					gotErr = err
					break
				}
				got = append(got, rec["input"].(string))
			}
			if tc.wantErr != "" {
				if gotErr == nil || !strings.Contains(gotErr.Error(), tc.wantErr) {
					t.Errorf("error %v: want one containing %q", gotErr, tc.wantErr)
				}
			} else if gotErr != nil {
				t.Fatal(gotErr)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d records, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("record %d differs", i)
				}
			}
		})
	}
}

func TestRecordsService_Export_stopEarly(t *testing.T) {
	f := newFakeAPI(t)
	serveExport(t, f, ExportJSONLFlat, strings.Repeat("{\"input\":\"a\"}\n", 1000))
	n := 0
	for _, err := range f.client().Records.Export(t.Context(), newID(), LogRecordsExportRequest{ExportFormat: ExportJSONLFlat}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("read %d records, want to stop at 3", n)
	}
}

func TestRecordsService_Export_errors(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("POST /projects/{project_id}/export_records", unprocessable)
	c := f.client()
	_, err := Collect(c.Records.Export(t.Context(), newID(), LogRecordsExportRequest{}))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 422 {
		t.Errorf("error %v: want the 422 APIError", err)
	}
	_, err = Collect(c.Records.Export(t.Context(), newID(), LogRecordsExportRequest{ExportFormat: ExportCSV}))
	if err == nil || !strings.Contains(err.Error(), "use ExportCSV") {
		t.Errorf("error %v: want one pointing to ExportCSV", err)
	}
}

func TestRecordsService_ExportRaw(t *testing.T) {
	f := newFakeAPI(t)
	serveExport(t, f, ExportJSONL, "{\"a\":1}\n{\"a\":2}\n")
	var got []string
	for line, err := range f.client().Records.ExportRaw(t.Context(), newID(), LogRecordsExportRequest{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(line))
	}
	if strings.Join(got, "|") != `{"a":1}|{"a":2}` {
		t.Errorf("got %q", got)
	}
}

func TestRecordsService_ExportCSV(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{"rows", "input,output\nq1,\"a, quoted\"\nq2,b\n", "q1=a, quoted;q2=b;", ""},
		{"header only", "input,output\n", "", ""},
		{"empty", "", "", ""},
		{"ragged row", "input,output\nq1\n", "", "wrong number of fields"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			serveExport(t, f, ExportCSV, tc.body)
			var b strings.Builder
			var gotErr error
			for row, err := range f.client().Records.ExportCSV(t.Context(), newID(), LogRecordsExportRequest{ColumnIDs: []string{"input", "output"}}) {
				if err != nil {
					gotErr = err
					break
				}
				fmt.Fprintf(&b, "%s=%s;", row["input"], row["output"])
			}
			if tc.wantErr != "" {
				if gotErr == nil || !strings.Contains(gotErr.Error(), tc.wantErr) {
					t.Errorf("error %v: want %q", gotErr, tc.wantErr)
				}
				return
			}
			if gotErr != nil {
				t.Fatal(gotErr)
			}
			if b.String() != tc.want {
				t.Errorf("rows %q, want %q", b.String(), tc.want)
			}
		})
	}
}

func TestLineReader(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		max     int
		want    []string
		wantErr error
	}{
		{"short lines", "a\nbb\n", 10, []string{"a", "bb"}, nil},
		{"last line without newline", "a\nbb", 10, []string{"a", "bb"}, nil},
		{"at the limit", "abcd\n", 4, []string{"abcd"}, nil},
		{"over the limit", "ok\nabcdef\n", 4, []string{"ok"}, errLineTooLong},
		{"over the limit at EOF", "abcdef", 4, nil, errLineTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// One byte at a time, to exercise the assembly of long lines.
			lr := newLineReader(iotest.OneByteReader(strings.NewReader(tc.in)), tc.max)
			var got []string
			var err error
			for {
				var line []byte
				line, err = lr.next()
				if err != nil {
					break
				}
				got = append(got, string(line))
			}
			if tc.wantErr == nil && err != io.EOF {
				t.Fatalf("error %v, want EOF", err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("lines %q, want %q", got, tc.want)
			}
		})
	}
}

// A line longer than the bufio buffer is assembled, and the memory of a
// huge line is not kept for the following ones.
func TestLineReader_longLines(t *testing.T) {
	huge := bytes.Repeat([]byte("y"), 10*lineBufSize)
	in := append(append(huge, '\n'), "short\n"...)
	lr := newLineReader(bytes.NewReader(in), MaxExportLine)
	l1, err := lr.next()
	if err != nil || !bytes.Equal(l1, huge) {
		t.Fatalf("first line: %d bytes, %v; want %d bytes", len(l1), err, len(huge))
	}
	l2, err := lr.next()
	if err != nil || string(l2) != "short" {
		t.Fatalf("second line %q, %v", l2, err)
	}
	if cap(lr.buf) > 4*lineBufSize {
		t.Errorf("buffer of %d bytes kept after a huge line", cap(lr.buf))
	}
}

func TestRecordsService_Export_lineTooLong(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("POST /projects/{project_id}/export_records", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bytes.Repeat([]byte("z"), 2<<10))
	})
	c := f.client()
	c.Records.maxLine = 1 << 10 // MaxExportLine (64 MiB) works the same, only slower
	_, err := Collect(c.Records.Export(context.Background(), newID(), LogRecordsExportRequest{}))
	if !errors.Is(err, errLineTooLong) || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("error %v: want a line-too-long error for line 1", err)
	}
}
