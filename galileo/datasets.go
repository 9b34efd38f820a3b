package galileo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// DatasetsService handles datasets (/datasets).
type DatasetsService struct{ c *Client }

// ContentPageSize is the number of rows [DatasetsService.Content] asks for
// per page.
const ContentPageSize = 1000

// DatasetCreateOptions are the optional settings of [DatasetsService.Create].
type DatasetCreateOptions struct {
	// ProjectID links the new dataset to a project.
	ProjectID string
}

// Create uploads rows as a new dataset named name, as the official SDKs do:
// a multipart POST /datasets?format=jsonl with the rows as a JSON Lines
// file. Each row is an object of column name to value; the usual columns are
// input, output (the ground truth), generated_output and metadata. A
// ground_truth key is renamed to output, as the SDKs do; a row that has both
// is an error. An empty rows slice uploads one empty row, like the SDKs.
//
// The server is asked not to rename on a duplicate name
// (append_suffix_if_duplicate=False). If the call fails in a way that leaves
// it unknown whether the dataset was created, the client looks the name up
// before retrying and accepts a dataset of that name with the same number of
// rows.
func (s *DatasetsService) Create(ctx context.Context, name string, rows []map[string]any, opts *DatasetCreateOptions) (*Dataset, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("galileo: Datasets.Create: empty dataset name")
	}
	var file bytes.Buffer
	if len(rows) == 0 {
		file.WriteString("{}\n")
	}
	for i, row := range rows {
		r, err := uploadRow(row)
		if err != nil {
			return nil, fmt.Errorf("galileo: Datasets.Create %q: row %d: %w", name, i, err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("galileo: Datasets.Create %q: row %d: %w", name, i, err)
		}
		file.Write(b)
		file.WriteByte('\n')
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields := [][2]string{{"draft", "False"}, {"hidden", "False"}, {"name", name}, {"append_suffix_if_duplicate", "False"}}
	if opts != nil && strings.TrimSpace(opts.ProjectID) != "" {
		fields = append(fields, [2]string{"project_id", strings.TrimSpace(opts.ProjectID)})
	}
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write(file.Bytes()); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	wantRows := max(len(rows), 1)
	var out Dataset
	req := &request{
		method:      http.MethodPost,
		path:        "/datasets",
		query:       url.Values{"format": {"jsonl"}, "hidden": {"false"}},
		raw:         body.Bytes(),
		contentType: mw.FormDataContentType(),
		onAmbiguous: foundBy(&out, func(ctx context.Context) (*Dataset, error) {
			return s.GetByName(ctx, name)
		}, func(d *Dataset) bool { return d.NumRows == nil || *d.NumRows == wantRows }),
	}
	if _, err := s.c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// uploadRow returns row with ground_truth renamed to output.
func uploadRow(row map[string]any) (map[string]any, error) {
	gt, ok := row["ground_truth"]
	if !ok {
		return row, nil
	}
	if _, both := row["output"]; both {
		return nil, errors.New(`has both "ground_truth" and "output" (they are the same column; keep one)`)
	}
	r := make(map[string]any, len(row))
	for k, v := range row {
		if k != "ground_truth" {
			r[k] = v
		}
	}
	r["output"] = gt
	return r, nil
}

// Get returns the dataset with the given id (GET /datasets/{id}).
func (s *DatasetsService) Get(ctx context.Context, id string) (*Dataset, error) {
	if strings.TrimSpace(id) == "" {
		return nil, errors.New("galileo: Datasets.Get: empty dataset id")
	}
	var d Dataset
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: "/datasets/" + url.PathEscape(id), idempotent: true}, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// GetByName returns the dataset with exactly this name, the most recently
// updated one if several share it (POST /datasets/query?limit=1). When there
// is none the error matches [ErrNotFound].
func (s *DatasetsService) GetByName(ctx context.Context, name string) (*Dataset, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("galileo: Datasets.GetByName: empty dataset name")
	}
	body := ListParams{
		Filters: []Filter{{Name: "name", Operator: "eq", Value: name, CaseSensitive: ptr(true)}},
		Sort:    &Sort{Name: "updated_at", Ascending: false, SortType: "column"},
	}
	var out ListDatasetResponse
	req := &request{method: http.MethodPost, path: "/datasets/query", query: url.Values{"limit": {"1"}}, body: body, idempotent: true}
	if _, err := s.c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	if len(out.Datasets) == 0 {
		return nil, fmt.Errorf("galileo: dataset %q: %w", name, ErrNotFound)
	}
	return &out.Datasets[0], nil
}

// Content iterates over every row of a dataset's current version
// (GET /datasets/{id}/content, ContentPageSize rows per page) until
// next_starting_token is null or a page comes back empty. Rows are read one
// page at a time; an error ends the sequence.
func (s *DatasetsService) Content(ctx context.Context, id string) iter.Seq2[DatasetRow, error] {
	return paginate(ctx, 0, func(ctx context.Context, start int) ([]DatasetRow, *int, error) {
		if strings.TrimSpace(id) == "" {
			return nil, nil, errors.New("galileo: Datasets.Content: empty dataset id")
		}
		page, _, err := s.contentPage(ctx, id, start, ContentPageSize)
		if err != nil {
			return nil, nil, err
		}
		return page.Rows, page.NextStartingToken, nil
	})
}

// contentPage fetches one page of content and the answer's ETag.
func (s *DatasetsService) contentPage(ctx context.Context, id string, start, limit int) (*DatasetContent, string, error) {
	var page DatasetContent
	req := &request{method: http.MethodGet, path: "/datasets/" + url.PathEscape(id) + "/content", query: pageQuery(start, limit), idempotent: true}
	resp, err := s.c.call(ctx, req, &page)
	if err != nil {
		return nil, "", err
	}
	return &page, resp.header.Get("ETag"), nil
}

// AppendRows appends rows to a dataset, as the SDKs do: it reads the
// content's ETag (GET /datasets/{id}/content) and sends one append_row edit
// per row (PATCH /datasets/{id}/content with If-Match). ground_truth keys are
// renamed to output. A concurrent edit makes the server answer 412; the
// error says so and nothing is appended.
func (s *DatasetsService) AppendRows(ctx context.Context, id string, rows []map[string]any) error {
	if strings.TrimSpace(id) == "" {
		return errors.New("galileo: Datasets.AppendRows: empty dataset id")
	}
	if len(rows) == 0 {
		return nil
	}
	edits := make([]DatasetEdit, len(rows))
	for i, row := range rows {
		r, err := uploadRow(row)
		if err != nil {
			return fmt.Errorf("galileo: Datasets.AppendRows: row %d: %w", i, err)
		}
		edits[i] = DatasetEdit{EditType: "append_row", Values: r}
	}
	_, etag, err := s.contentPage(ctx, id, 0, 1)
	if err != nil {
		return err
	}
	req := &request{
		method: http.MethodPatch,
		path:   "/datasets/" + url.PathEscape(id) + "/content",
		body:   UpdateDatasetContentRequest{Edits: edits},
	}
	if etag != "" {
		req.header = http.Header{"If-Match": {etag}}
	}
	_, err = s.c.call(ctx, req, nil)
	return err
}

// Projects returns the projects that use a dataset
// (GET /datasets/{id}/projects, every page).
func (s *DatasetsService) Projects(ctx context.Context, id string) ([]DatasetProject, error) {
	if strings.TrimSpace(id) == "" {
		return nil, errors.New("galileo: Datasets.Projects: empty dataset id")
	}
	return Collect(paginate(ctx, 0, func(ctx context.Context, start int) ([]DatasetProject, *int, error) {
		var page DatasetProjects
		req := &request{method: http.MethodGet, path: "/datasets/" + url.PathEscape(id) + "/projects", query: pageQuery(start, DefaultPageSize), idempotent: true}
		if _, err := s.c.call(ctx, req, &page); err != nil {
			return nil, nil, err
		}
		return page.Projects, page.NextStartingToken, nil
	}))
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// Ensure returns the dataset named name, uploading rows as a new dataset
// (see [DatasetsService.Create]; opts may be nil) when there is none. An
// existing dataset is reused when it has as many rows as given (one for an
// empty rows slice, as Create uploads one empty row) or does not say how
// many it has; with another row count the error matches [ErrConflict] and
// nothing is uploaded. Row contents are not compared, so give
// content-derived names to datasets that must match their rows. When the
// server answers the upload with 409 (another process created the dataset
// since the lookup), the dataset is looked up and checked again.
func (s *DatasetsService) Ensure(ctx context.Context, name string, rows []map[string]any, opts *DatasetCreateOptions) (*Dataset, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("galileo: Datasets.Ensure: empty dataset name")
	}
	want := max(len(rows), 1)
	return ensure(ctx,
		func(ctx context.Context) (*Dataset, error) { return s.GetByName(ctx, name) },
		func(ctx context.Context) (*Dataset, error) { return s.Create(ctx, name, rows, opts) },
		func(d *Dataset) error {
			if d.NumRows != nil && *d.NumRows != want {
				return fmt.Errorf("galileo: dataset %q (%s) exists with %d %s, expected %d: %w", name, d.ID, *d.NumRows, plural(*d.NumRows, "row"), want, ErrConflict)
			}
			return nil
		})
}
