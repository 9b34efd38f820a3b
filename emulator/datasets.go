package emulator

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/galileo-community/galileo-go/galileo"
)

// maxMultipartMemory is how much of an upload is kept in memory (the rest
// spills to temporary files); the body limit still applies.
const maxMultipartMemory = 8 << 20

func (s *Server) dataset(id string) (*datasetRec, error) {
	d := s.st.Datasets[id]
	if d == nil {
		return nil, notFound("Dataset", id)
	}
	return d, nil
}

func (s *Server) datasetDB(d *datasetRec) galileo.Dataset {
	cur := d.current()
	n := len(cur.Rows)
	cols := slices.Clone(cur.Columns)
	if cols == nil {
		cols = []string{}
	}
	return galileo.Dataset{ID: d.ID, Name: d.Name, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		ProjectCount: len(d.ProjectIDs), NumRows: &n, ColumnNames: cols, CreatedByUser: userInfo(),
		CurrentVersionIndex: cur.Index, Draft: d.Draft, Permissions: []any{}}
}

func formBool(v string) bool {
	b, _ := parseBool(v)
	return b
}

// datasetSpec is what a new dataset is made of, from POST /datasets or
// Server.CreateDataset.
type datasetSpec struct {
	Name      string
	ProjectID string // "" for none
	Columns   []string
	Rows      []map[string]any // normalized (see parseRows)
	Draft     bool
	// AppendSuffix renames a taken name "<name> (1)", "<name> (2)", …
	// instead of refusing it.
	AppendSuffix bool
	// CopyFrom, when set, takes the columns and rows of that dataset's
	// version CopyVersion (nil: its current version) instead of Rows.
	CopyFrom    string
	CopyVersion *int
}

// createDataset validates and stores a dataset (version 0). The name is
// trimmed and required; a taken name is a 409 unless AppendSuffix.
func (s *Server) createDataset(in datasetSpec) (*datasetRec, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, missing("name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cols, rows := in.Columns, in.Rows
	if in.CopyFrom != "" {
		var err error
		if cols, rows, err = s.datasetCopy(in.CopyFrom, in.CopyVersion); err != nil {
			return nil, err
		}
	}
	if in.ProjectID != "" {
		if _, err := s.project(in.ProjectID); err != nil {
			return nil, err
		}
	}
	if in.AppendSuffix {
		name = s.freeDatasetName(name)
	}
	if err := s.checkDatasetName(name); err != nil {
		return nil, err
	}
	now := s.now()
	d := &datasetRec{ID: s.newID(), Name: name, Draft: in.Draft, CreatedAt: now, UpdatedAt: now, ETag: s.newID()}
	if in.ProjectID != "" {
		d.ProjectIDs = []string{in.ProjectID}
	}
	ver := &datasetVer{Index: 0, Columns: cols, CreatedAt: now, RowsAdded: len(rows), ColumnsAdded: len(cols)}
	for _, r := range rows {
		ver.Rows = append(ver.Rows, &rowRec{ID: s.newID(), Values: r, CreatedAt: now, UpdatedAt: now})
	}
	d.Versions = []*datasetVer{ver}
	if err := s.commit("put", kindDataset, d.ID, d); err != nil {
		return nil, err
	}
	s.st.putDataset(d)
	return d, nil
}

// datasetCopy returns the columns and rows of version (nil: the current
// one) of dataset id. Call with s.mu held.
func (s *Server) datasetCopy(id string, version *int) ([]string, []map[string]any, error) {
	src, err := s.dataset(id)
	if err != nil {
		return nil, nil, err
	}
	ver := src.current()
	if version != nil {
		if *version < 0 || *version >= len(src.Versions) {
			return nil, nil, invalid("value_error", "no such version of the source dataset", "copy_from_dataset_version_index")
		}
		ver = src.Versions[*version]
	}
	var rows []map[string]any
	for _, r := range ver.Rows {
		rows = append(rows, r.Values)
	}
	return slices.Clone(ver.Columns), rows, nil
}

// checkDatasetName is the one uniqueness rule of dataset names (create and
// rename). Call with s.mu held.
func (s *Server) checkDatasetName(name string) error {
	for _, d := range s.st.Datasets {
		if d.Name == name {
			return errorf(http.StatusConflict, "Dataset with name %s already exists", name)
		}
	}
	return nil
}

// freeDatasetName returns name, or the first free "<name> (n)". Call with
// s.mu held.
func (s *Server) freeDatasetName(name string) string {
	if s.checkDatasetName(name) == nil {
		return name
	}
	for i := 1; ; i++ {
		cand := fmt.Sprintf("%s (%d)", name, i)
		if s.checkDatasetName(cand) == nil {
			return cand
		}
	}
}

func (s *Server) handleCreateDataset(c *call) error {
	in, err := datasetForm(c)
	if err != nil {
		return err
	}
	d, err := s.createDataset(in)
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, s.datasetDB(d))
}

// datasetForm reads the multipart form of POST /datasets: the fields, and
// the rows of the uploaded file in the format the query names.
func datasetForm(c *call) (datasetSpec, error) {
	format := c.query("format")
	if format == "" {
		format = "csv"
	}
	if err := c.r.ParseMultipartForm(maxMultipartMemory); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return datasetSpec{}, tooLarge(mbe.Limit)
		}
		if !errors.Is(err, http.ErrNotMultipart) {
			return datasetSpec{}, invalid("value_error", "expected a multipart/form-data body: "+err.Error())
		}
	}
	form := c.r.MultipartForm
	val := func(k string) string {
		if form == nil || len(form.Value[k]) == 0 {
			return ""
		}
		return form.Value[k][0]
	}
	var data []byte
	var filename string
	if form != nil && len(form.File["file"]) > 0 {
		fh := form.File["file"][0]
		filename = fh.Filename
		b, err := readFormFile(fh)
		if err != nil {
			return datasetSpec{}, err
		}
		data = b
	}
	in := datasetSpec{Name: strings.TrimSpace(val("name")), ProjectID: val("project_id"), Draft: formBool(val("draft")),
		AppendSuffix: formBool(val("append_suffix_if_duplicate")), CopyFrom: val("copy_from_dataset_id")}
	if in.Name == "" {
		in.Name = filename
	}
	if strings.TrimSpace(in.Name) == "" {
		return datasetSpec{}, missing("name")
	}
	if data == nil && in.CopyFrom == "" {
		return datasetSpec{}, missing("file")
	}
	if data != nil {
		var err error
		if in.Columns, in.Rows, err = parseRows(format, data); err != nil {
			return datasetSpec{}, err
		}
	}
	if vi := val("copy_from_dataset_version_index"); vi != "" && in.CopyFrom != "" {
		n, err := strconv.Atoi(vi)
		if err != nil {
			return datasetSpec{}, invalid("value_error", "no such version of the source dataset", "copy_from_dataset_version_index")
		}
		in.CopyVersion = &n
	}
	return in, nil
}

func readFormFile(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, invalid("value_error", "reading the uploaded file: "+err.Error(), "file")
	}
	defer f.Close()
	return io.ReadAll(f)
}

func (s *Server) datasetsByCreation() []*datasetRec {
	var out []*datasetRec
	for _, id := range sortedIDs(s.st, s.st.Datasets) {
		out = append(out, s.st.Datasets[id])
	}
	return out
}

func (s *Server) listDatasets(c *call, body listBody) error {
	pg, err := c.page()
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	list, err := filterItems(s.datasetsByCreation(), body.Filters, func(i int, f listFilter, d *datasetRec) (bool, error) {
		if m, ok := matchProject(f, d.ProjectIDs); ok {
			return m, nil
		}
		switch f.column() {
		case "name":
			return matchText(i, f, d.Name, true)
		case "id":
			return matchText(i, f, d.ID, false)
		case "draft":
			return matchBool(i, f, d.Draft)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	col := body.Sort.column("created_at")
	sortBy(list, body.Sort.ascending(false), func(a, b *datasetRec) int {
		if col == "num_rows" {
			return len(a.current().Rows) - len(b.current().Rows)
		}
		return a.listKeys().cmp(col, b.listKeys())
	})
	datasets, env := pageOf(pg, list, s.datasetDB)
	return c.json(http.StatusOK, galileo.ListDatasetResponse{Page: env, Datasets: datasets})
}

func (s *Server) handleListDatasets(c *call) error { return s.listDatasets(c, listBody{}) }

func (s *Server) handleQueryDatasets(c *call) error {
	var body listBody
	if err := decodeJSON(c.r, &body, true); err != nil {
		return err
	}
	return s.listDatasets(c, body)
}

func (s *Server) handleGetDataset(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.dataset(c.param("dataset_id"))
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, s.datasetDB(d))
}

func (s *Server) handleUpdateDataset(c *call) error {
	var body struct {
		Name  *string `json:"name"`
		Draft *bool   `json:"draft"`
	}
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.dataset(c.param("dataset_id"))
	if err != nil {
		return err
	}
	nd := *d
	if body.Name != nil && *body.Name != "" && *body.Name != d.Name {
		if err := s.checkDatasetName(*body.Name); err != nil {
			return err
		}
		nd.Name = *body.Name
	}
	if body.Draft != nil {
		nd.Draft = *body.Draft
	}
	nd.UpdatedAt = s.now()
	if err := s.commit("put", kindDataset, nd.ID, &nd); err != nil {
		return err
	}
	s.st.putDataset(&nd)
	return c.json(http.StatusOK, s.datasetDB(&nd))
}

func (s *Server) handleDeleteDataset(c *call) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.dataset(c.param("dataset_id"))
	if err != nil {
		return err
	}
	if err := s.commit("del", kindDataset, d.ID, nil); err != nil {
		return err
	}
	delete(s.st.Datasets, d.ID)
	return c.json(http.StatusOK, map[string]string{"message": "Dataset " + d.Name + " deleted"})
}
