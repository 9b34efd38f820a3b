package galileo

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// uploadedDataset is what the client sent to POST /datasets.
type uploadedDataset struct {
	query    string
	fields   map[string]string
	filename string
	file     string
}

// readUpload runs in the server's goroutine: it reports with Errorf only.
func readUpload(t *testing.T, r *http.Request) uploadedDataset {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Errorf("Content-Type %q: want multipart/form-data", r.Header.Get("Content-Type"))
		return uploadedDataset{}
	}
	up := uploadedDataset{query: r.URL.RawQuery, fields: map[string]string{}}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return up
		}
		if err != nil {
			t.Errorf("reading the multipart body: %v", err)
			return up
		}
		b, _ := io.ReadAll(p)
		if p.FormName() == "file" {
			up.filename, up.file = p.FileName(), string(b)
		} else {
			up.fields[p.FormName()] = string(b)
		}
	}
}

func TestDatasetsService_Create(t *testing.T) {
	tests := []struct {
		name     string
		rows     []map[string]any
		opts     *DatasetCreateOptions
		wantFile string
		wantPID  string
	}{
		{"ground_truth renamed to output",
			[]map[string]any{{"input": "2+2?", "ground_truth": "4"}, {"input": "3+3?", "output": "6", "metadata": map[string]string{"k": "v"}}},
			nil, "{\"input\":\"2+2?\",\"output\":\"4\"}\n{\"input\":\"3+3?\",\"metadata\":{\"k\":\"v\"},\"output\":\"6\"}\n", ""},
		{"no rows uploads one empty row", nil, nil, "{}\n", ""},
		{"project id", []map[string]any{{"input": "x"}}, &DatasetCreateOptions{ProjectID: "1c4a3f4e-32a1-4c8e-9f55-3d9f1e2b7a10"},
			"{\"input\":\"x\"}\n", "1c4a3f4e-32a1-4c8e-9f55-3d9f1e2b7a10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			did := newID()
			var up uploadedDataset
			f.handle("POST /datasets", func(w http.ResponseWriter, r *http.Request) {
				up = readUpload(t, r)
				serveJSON(w, 200, fxDataset(did, "qa set", max(len(tc.rows), 1)))
			})
			d, err := f.client().Datasets.Create(t.Context(), "qa set", tc.rows, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if d.ID != did {
				t.Errorf("dataset id %s, want %s", d.ID, did)
			}
			if up.query != "format=jsonl&hidden=false" {
				t.Errorf("query %q, want format=jsonl&hidden=false", up.query)
			}
			want := map[string]string{"draft": "False", "hidden": "False", "name": "qa set", "append_suffix_if_duplicate": "False"}
			if tc.wantPID != "" {
				want["project_id"] = tc.wantPID
			}
			if len(up.fields) != len(want) {
				t.Errorf("form fields %v, want %v", up.fields, want)
			}
			for k, v := range want {
				if up.fields[k] != v {
					t.Errorf("form field %s = %q, want %q", k, up.fields[k], v)
				}
			}
			if up.filename != "qa set" {
				t.Errorf("file name %q, want the dataset name", up.filename)
			}
			if up.file != tc.wantFile {
				t.Errorf("file content\n%s\nwant\n%s", up.file, tc.wantFile)
			}
		})
	}
}

func TestDatasetsService_Create_badRows(t *testing.T) {
	f := newFakeAPI(t)
	_, err := f.client().Datasets.Create(t.Context(), "qa", []map[string]any{{"input": "a"}, {"ground_truth": "x", "output": "y"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "row 1") || !strings.Contains(err.Error(), "ground_truth") {
		t.Fatalf("error %v: want one naming row 1 and ground_truth", err)
	}
	if _, err := f.client().Datasets.Create(t.Context(), " ", nil, nil); err == nil {
		t.Error("an empty name was accepted")
	}
	if n := len(f.calls()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// A lost answer to the upload is resolved by a name lookup, not a second upload.
func TestDatasetsService_Create_ambiguousFailure(t *testing.T) {
	f := newFakeAPI(t)
	did := newID()
	f.json("POST /datasets", http.StatusServiceUnavailable, map[string]string{"detail": "try later"})
	f.json("POST /datasets/query", 200, ListDatasetResponse{Datasets: []Dataset{fxDataset(did, "qa", 2)}})
	d, err := f.client(WithRetry(3, 0, 0)).Datasets.Create(t.Context(), "qa", []map[string]any{{"input": "a"}, {"input": "b"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != did || f.count("POST /datasets?") != 1 {
		t.Errorf("got %s after %d uploads, want %s after 1", d.ID, f.count("POST /datasets?"), did)
	}
}

func TestDatasetsService_Get(t *testing.T) {
	f := newFakeAPI(t)
	did := newID()
	f.json("GET /datasets/{dataset_id}", 200, fxDataset(did, "qa", 3))
	d, err := f.client().Datasets.Get(t.Context(), did)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "qa" || *d.NumRows != 3 {
		t.Errorf("got %q with %d rows, want qa with 3", d.Name, *d.NumRows)
	}
	errorPathCases(t, "GET /datasets/{dataset_id}", `[]`, func(ctx context.Context, c *Client) error {
		_, err := c.Datasets.Get(ctx, did)
		return err
	})
}

func TestDatasetsService_GetByName(t *testing.T) {
	f := newFakeAPI(t)
	did := newID()
	found := true
	f.handle("POST /datasets/query", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("limit") != "1" {
			t.Errorf("query %q: want limit=1", r.URL.RawQuery)
		}
		body := decodeBody[ListParams](t, r)
		if len(body.Filters) != 1 || body.Filters[0].Name != "name" || body.Filters[0].Operator != "eq" ||
			body.Filters[0].Value != "qa" || body.Filters[0].CaseSensitive == nil || !*body.Filters[0].CaseSensitive {
			t.Errorf("filters %+v: want name eq qa, case-sensitive", body.Filters)
		}
		if body.Sort == nil || body.Sort.Name != "updated_at" || body.Sort.Ascending || body.Sort.SortType != "column" {
			t.Errorf("sort %+v: want updated_at descending", body.Sort)
		}
		res := ListDatasetResponse{Datasets: []Dataset{}}
		if found {
			res.Datasets = append(res.Datasets, fxDataset(did, "qa", 1))
		}
		serveJSON(w, 200, res)
	})
	c := f.client()
	d, err := c.Datasets.GetByName(t.Context(), "qa")
	if err != nil || d.ID != did {
		t.Fatalf("GetByName = %v, %v; want dataset %s", d, err, did)
	}
	found = false
	if _, err := c.Datasets.GetByName(t.Context(), "qa"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"qa"`) {
		t.Errorf("error %v: want ErrNotFound naming the dataset", err)
	}
}

func TestDatasetsService_Content(t *testing.T) {
	tests := []struct {
		name  string
		pages [][]DatasetRow // page i answers starting_token = sum of earlier pages
		last  string         // how the last page ends: "null" or "empty"
		want  int
	}{
		{"next token null", [][]DatasetRow{{fxRow(0, "a", "1"), fxRow(1, "b", "2")}, {fxRow(2, "c", "3")}}, "null", 3},
		{"empty page", [][]DatasetRow{{fxRow(0, "a", "1")}, {}}, "empty", 1},
		{"empty dataset", [][]DatasetRow{{}}, "empty", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			did := newID()
			var starts []string
			f.handle("GET /datasets/{dataset_id}/content", func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				starts = append(starts, q.Get("starting_token"))
				if q.Get("limit") != strconv.Itoa(ContentPageSize) {
					t.Errorf("limit %q, want %d", q.Get("limit"), ContentPageSize)
				}
				start, _ := strconv.Atoi(q.Get("starting_token"))
				off, i := 0, 0
				for i < len(tc.pages) && off < start {
					off += len(tc.pages[i])
					i++
				}
				if i >= len(tc.pages) {
					serveJSON(w, 200, fxContent(nil, start, nil))
					return
				}
				var next *int
				if i < len(tc.pages)-1 || tc.last == "empty" { // "empty": the token is never null
					next = ptr(start + len(tc.pages[i]))
				}
				serveJSON(w, 200, fxContent(tc.pages[i], start, next))
			})
			rows, err := Collect(f.client().Datasets.Content(t.Context(), did))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.want {
				t.Errorf("got %d rows, want %d (pages asked: %v)", len(rows), tc.want, starts)
			}
			for i, r := range rows {
				if r.Index != i {
					t.Errorf("row %d has index %d", i, r.Index)
				}
			}
		})
	}
}

func TestDatasetsService_Content_error(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /datasets/{dataset_id}/content", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("starting_token") == "0" {
			serveJSON(w, 200, fxContent([]DatasetRow{fxRow(0, "a", "1")}, 0, ptr(1)))
			return
		}
		notFound(w, r)
	})
	var got int
	var lastErr error
	for _, err := range f.client().Datasets.Content(t.Context(), newID()) {
		if err != nil {
			lastErr = err
			break
		}
		got++
	}
	if got != 1 || !errors.Is(lastErr, ErrNotFound) {
		t.Errorf("read %d rows then %v; want 1 row then ErrNotFound", got, lastErr)
	}
}

func TestDatasetsService_AppendRows(t *testing.T) {
	f := newFakeAPI(t)
	did := newID()
	const etag = "d89cce33-549d-4b6d-b220-afb641d859c8"
	f.handle("GET /datasets/{dataset_id}/content", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		serveJSON(w, 200, fxContent([]DatasetRow{fxRow(0, "a", "1")}, 0, ptr(1)))
	})
	f.handle("PATCH /datasets/{dataset_id}/content", func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("If-Match"); got != etag {
			t.Errorf("If-Match %q, want %q", got, etag)
		}
		body := decodeBody[UpdateDatasetContentRequest](t, r)
		if len(body.Edits) != 2 || body.Edits[0].EditType != "append_row" ||
			body.Edits[0].Values["output"] != "4" || body.Edits[0].Values["ground_truth"] != nil {
			t.Errorf("edits %+v: want two append_row edits with ground_truth renamed to output", body.Edits)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	err := f.client().Datasets.AppendRows(t.Context(), did, []map[string]any{{"input": "2+2", "ground_truth": "4"}, {"input": "b"}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDatasetsService_AppendRows_conflict(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /datasets/{dataset_id}/content", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", "v1")
		serveJSON(w, 200, fxContent(nil, 0, nil))
	})
	f.json("PATCH /datasets/{dataset_id}/content", http.StatusPreconditionFailed, map[string]string{"detail": "ETag mismatch"})
	err := f.client().Datasets.AppendRows(t.Context(), newID(), []map[string]any{{"input": "b"}})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusPreconditionFailed || !strings.Contains(err.Error(), "ETag mismatch") {
		t.Errorf("error %v: want a 412 APIError saying ETag mismatch", err)
	}
}

func TestDatasetsService_Projects(t *testing.T) {
	f := newFakeAPI(t)
	u := fxUser()
	p := func(name string) DatasetProject {
		return DatasetProject{ID: newID(), Name: name, CreatedAt: fxTime, UpdatedAt: fxTime, CreatedByUser: &u}
	}
	f.handle("GET /datasets/{dataset_id}/projects", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("starting_token") == "0" {
			serveJSON(w, 200, DatasetProjects{Page: Page{NextStartingToken: ptr(1)}, Projects: []DatasetProject{p("a")}})
			return
		}
		serveJSON(w, 200, DatasetProjects{Page: Page{StartingToken: 1}, Projects: []DatasetProject{p("b")}})
	})
	ps, err := f.client().Datasets.Projects(t.Context(), newID())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Name != "a" || ps[1].Name != "b" {
		t.Errorf("got %+v, want projects a and b", ps)
	}
}
