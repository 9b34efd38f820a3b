package emulator

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

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
	bad := func(msg string) error { return invalid("value_error", msg, "file") }
	switch format {
	case "", "csv":
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = 0
		recs, err := r.ReadAll()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				return nil, nil, bad(fmt.Sprintf("CSV line %d has a different number of fields than the header", pe.Line))
			}
			return nil, nil, bad("invalid CSV: " + err.Error())
		}
		if len(recs) == 0 {
			return nil, nil, bad("the CSV file is empty: expected a header line")
		}
		header := recs[0]
		for _, rec := range recs[1:] {
			m := make(map[string]any, len(header))
			for i, h := range header {
				m[h] = rec[i]
			}
			raw = append(raw, m)
		}
		return finishRows(header, raw)
	case "jsonl":
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
				return nil, nil, bad(fmt.Sprintf("JSONL line %d: expected a JSON object: %v", line, err))
			}
			raw = append(raw, m)
		}
		if err := sc.Err(); err != nil {
			return nil, nil, bad("reading JSONL: " + err.Error())
		}
	case "json":
		if err := json.Unmarshal(data, &raw); err != nil {
			var cols map[string][]any
			if err2 := json.Unmarshal(data, &cols); err2 != nil {
				return nil, nil, bad("expected a JSON array of objects: " + err.Error())
			}
			for k, vs := range cols {
				for i, v := range vs {
					for len(raw) <= i {
						raw = append(raw, map[string]any{})
					}
					raw[i][k] = v
				}
			}
		}
	case "feather":
		return nil, nil, invalid("value_error", "the emulator does not read feather files; upload csv, json or jsonl", "query", "format")
	default:
		return nil, nil, invalid("enum", "Input should be 'csv', 'feather', 'json' or 'jsonl'", "query", "format")
	}
	var order []string
	seen := map[string]bool{}
	for _, m := range raw {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys) // objects carry no order; keep the emulator deterministic
		for _, k := range preferred(keys) {
			if !seen[k] {
				seen[k] = true
				order = append(order, k)
			}
		}
	}
	return finishRows(order, raw)
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

func formBool(v string) bool {
	b, _ := parseBool(v)
	return b
}

func (s *Server) handleCreateDataset(c *call) error {
	format := c.query("format")
	if format == "" {
		format = "csv"
	}
	if err := c.r.ParseMultipartForm(maxMultipartMemory); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(mbe.Limit)
		}
		if !errors.Is(err, http.ErrNotMultipart) {
			return invalid("value_error", "expected a multipart/form-data body: "+err.Error())
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
			return err
		}
		data = b
	}
	name := strings.TrimSpace(val("name"))
	if name == "" {
		name = strings.TrimSpace(filename)
	}
	if name == "" {
		return missing("name")
	}
	copyFrom := val("copy_from_dataset_id")
	if data == nil && copyFrom == "" {
		return missing("file")
	}
	var cols []string
	var rows []map[string]any
	if data != nil {
		var err error
		if cols, rows, err = parseRows(format, data); err != nil {
			return err
		}
	}
	projectID := val("project_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if copyFrom != "" {
		src, err := s.dataset(copyFrom)
		if err != nil {
			return err
		}
		ver := src.current()
		if vi := val("copy_from_dataset_version_index"); vi != "" {
			n, err := strconv.Atoi(vi)
			if err != nil || n < 0 || n >= len(src.Versions) {
				return invalid("value_error", "no such version of the source dataset", "copy_from_dataset_version_index")
			}
			ver = src.Versions[n]
		}
		cols = slices.Clone(ver.Columns)
		rows = nil
		for _, r := range ver.Rows {
			rows = append(rows, r.Values)
		}
	}
	if projectID != "" {
		if _, err := s.project(projectID); err != nil {
			return err
		}
	}
	if s.datasetNameTaken(name) {
		if !formBool(val("append_suffix_if_duplicate")) {
			return errorf(http.StatusConflict, "Dataset with name %s already exists", name)
		}
		for i := 1; ; i++ {
			cand := fmt.Sprintf("%s (%d)", name, i)
			if !s.datasetNameTaken(cand) {
				name = cand
				break
			}
		}
	}
	now := s.now()
	d := &datasetRec{ID: s.newID(), Name: name, Draft: formBool(val("draft")), CreatedAt: now, UpdatedAt: now, ETag: s.newID()}
	if projectID != "" {
		d.ProjectIDs = []string{projectID}
	}
	ver := &datasetVer{Index: 0, Columns: cols, CreatedAt: now, RowsAdded: len(rows), ColumnsAdded: len(cols)}
	for _, r := range rows {
		ver.Rows = append(ver.Rows, &rowRec{ID: s.newID(), Values: r, CreatedAt: now, UpdatedAt: now})
	}
	d.Versions = []*datasetVer{ver}
	if err := s.commit("put", kindDataset, d.ID, d); err != nil {
		return err
	}
	s.st.putDataset(d)
	return c.json(http.StatusOK, s.datasetDB(d))
}

func readFormFile(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, invalid("value_error", "reading the uploaded file: "+err.Error(), "file")
	}
	defer f.Close()
	return io.ReadAll(f)
}

func (s *Server) datasetNameTaken(name string) bool {
	for _, d := range s.st.Datasets {
		if d.Name == name {
			return true
		}
	}
	return false
}

// seedDataset stores a dataset without HTTP (used by Server.CreateDataset).
func (s *Server) seedDataset(name, projectID string, cols []string, rows []map[string]any) (*datasetRec, error) {
	if s.datasetNameTaken(name) {
		return nil, fmt.Errorf("emulator: dataset %q already exists", name)
	}
	now := s.now()
	d := &datasetRec{ID: s.newID(), Name: name, CreatedAt: now, UpdatedAt: now, ETag: s.newID()}
	if projectID != "" {
		d.ProjectIDs = []string{projectID}
	}
	ver := &datasetVer{Columns: cols, CreatedAt: now, RowsAdded: len(rows), ColumnsAdded: len(cols)}
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
		if s.datasetNameTaken(*body.Name) {
			return errorf(http.StatusConflict, "Dataset with name %s already exists", *body.Name)
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

func rowJSON(r *rowRec, index int, cols []string) galileo.DatasetRow {
	values := make([]any, len(cols))
	dict := make(map[string]any, len(cols))
	for i, c := range cols {
		values[i] = r.Values[c]
		dict[c] = r.Values[c]
	}
	return galileo.DatasetRow{RowID: r.ID, Index: index, Values: values, ValuesDict: dict, Metadata: &galileo.DatasetRowMetadata{
		CreatedInVersion: r.CreatedInVersion, CreatedAt: r.CreatedAt, CreatedByUser: userInfo(),
		UpdatedInVersion: r.UpdatedInVersion, UpdatedAt: r.UpdatedAt, UpdatedByUser: userInfo(),
	}}
}

func (s *Server) contentPage(c *call, ver *datasetVer) error {
	pg, err := c.page()
	if err != nil {
		return err
	}
	lo, hi, env := pg.cut(len(ver.Rows))
	out := galileo.DatasetContent{Page: env, ColumnNames: slices.Clone(ver.Columns), Rows: []galileo.DatasetRow{}}
	if out.ColumnNames == nil {
		out.ColumnNames = []string{}
	}
	for i := lo; i < hi; i++ {
		out.Rows = append(out.Rows, rowJSON(ver.Rows[i], i, ver.Columns))
	}
	return c.json(http.StatusOK, out)
}

func (s *Server) handleDatasetContent(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.dataset(c.param("dataset_id"))
	if err != nil {
		return err
	}
	c.w.Header().Set("ETag", d.ETag)
	return s.contentPage(c, d.current())
}

func (s *Server) handleDatasetVersionContent(c *call) error {
	idx, err := strconv.Atoi(c.param("version_index"))
	if err != nil {
		return invalid("int_parsing", "Input should be a valid integer", "path", "version_index")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.dataset(c.param("dataset_id"))
	if err != nil {
		return err
	}
	if idx < 0 || idx >= len(d.Versions) {
		return errorf(http.StatusNotFound, "Dataset version %d not found", idx)
	}
	return s.contentPage(c, d.Versions[idx])
}

func (s *Server) handleDatasetVersions(c *call) error {
	var body struct {
		Sort *listSort `json:"sort"`
	}
	pg, err := c.listRequest(&body)
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.dataset(c.param("dataset_id"))
	if err != nil {
		return err
	}
	vers := slices.Clone(d.Versions)
	sortBy(vers, body.Sort.ascending(false), func(a, b *datasetVer) int { return a.Index - b.Index })
	lo, hi, env := pg.cut(len(vers))
	type versionDB struct {
		VersionIndex   int               `json:"version_index"`
		Name           *string           `json:"name"`
		CreatedAt      time.Time         `json:"created_at"`
		CreatedByUser  *galileo.UserInfo `json:"created_by_user"`
		NumRows        int               `json:"num_rows"`
		ColumnNames    []string          `json:"column_names"`
		RowsAdded      int               `json:"rows_added"`
		RowsRemoved    int               `json:"rows_removed"`
		RowsEdited     int               `json:"rows_edited"`
		ColumnsAdded   int               `json:"columns_added"`
		ColumnsRemoved int               `json:"columns_removed"`
		ColumnsRenamed int               `json:"columns_renamed"`
	}
	out := []versionDB{}
	for _, v := range vers[lo:hi] {
		cols := slices.Clone(v.Columns)
		if cols == nil {
			cols = []string{}
		}
		out = append(out, versionDB{VersionIndex: v.Index, CreatedAt: v.CreatedAt, CreatedByUser: userInfo(), NumRows: len(v.Rows),
			ColumnNames: cols, RowsAdded: v.RowsAdded, RowsRemoved: v.RowsRemoved, RowsEdited: v.RowsEdited,
			ColumnsAdded: v.ColumnsAdded, ColumnsRemoved: v.ColumnsRemoved, ColumnsRenamed: v.ColumnsRenamed})
	}
	return c.json(http.StatusOK, struct {
		pageEnvelope
		Versions []versionDB `json:"versions"`
	}{env, out})
}

func (s *Server) handleDatasetProjects(c *call) error {
	pg, err := c.page()
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.dataset(c.param("dataset_id"))
	if err != nil {
		return err
	}
	var ps []*projectRec
	for _, id := range d.ProjectIDs {
		if p := s.st.Projects[id]; p != nil {
			ps = append(ps, p)
		}
	}
	lo, hi, env := pg.cut(len(ps))
	type dsProject struct {
		ID            string            `json:"id"`
		Name          string            `json:"name"`
		CreatedAt     time.Time         `json:"created_at"`
		UpdatedAt     time.Time         `json:"updated_at"`
		CreatedByUser *galileo.UserInfo `json:"created_by_user"`
	}
	out := []dsProject{}
	for _, p := range ps[lo:hi] {
		out = append(out, dsProject{ID: p.ID, Name: p.Name, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, CreatedByUser: userInfo()})
	}
	return c.json(http.StatusOK, struct {
		pageEnvelope
		Projects []dsProject `json:"projects"`
	}{env, out})
}

// datasetEdit is one edit of PATCH /datasets/{id}/content.
type datasetEdit struct {
	EditType                 string         `json:"edit_type"`
	Values                   map[string]any `json:"values"`
	RowID                    *string        `json:"row_id"`
	RowIDs                   []string       `json:"row_ids"`
	ColumnName               string         `json:"column_name"`
	NewColumnName            string         `json:"new_column_name"`
	IDs                      []string       `json:"ids"`
	Prepend                  *bool          `json:"prepend"`
	UseGeneratedOutputColumn bool           `json:"use_generated_output_column"`
}

func (s *Server) handlePatchDatasetContent(c *call) error {
	var body struct {
		Edits []datasetEdit `json:"edits"`
	}
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	if body.Edits == nil {
		return missing("edits")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.dataset(c.param("dataset_id"))
	if err != nil {
		return err
	}
	if m := c.r.Header.Get("If-Match"); m != "" && strings.Trim(m, `"`) != d.ETag {
		return errorf(http.StatusPreconditionFailed, "ETag mismatch: the dataset changed since it was read (current ETag %s)", d.ETag)
	}
	now := s.now()
	cur := d.current()
	nv := &datasetVer{Index: cur.Index + 1, Columns: slices.Clone(cur.Columns), Rows: slices.Clone(cur.Rows), CreatedAt: now}
	addCols := func(vals map[string]any) {
		for _, k := range preferred(sortedKeys(vals)) {
			if !slices.Contains(nv.Columns, k) {
				nv.Columns = append(nv.Columns, k)
				nv.ColumnsAdded++
			}
		}
	}
	findRow := func(i int, id *string) (int, error) {
		if id == nil {
			return -1, missing("edits", i, "row_id")
		}
		for j, r := range nv.Rows {
			if r.ID == *id {
				return j, nil
			}
		}
		return -1, errorf(http.StatusNotFound, "Row %s not found in dataset %s", *id, d.ID)
	}
	for i, e := range body.Edits {
		switch e.EditType {
		case "append_row", "prepend_row":
			if e.Values == nil {
				return missing("edits", i, "values")
			}
			vals := normalizeRow(e.Values)
			addCols(vals)
			id := s.newID()
			if e.RowID != nil && *e.RowID != "" {
				id = *e.RowID
			}
			r := &rowRec{ID: id, Values: vals, CreatedInVersion: nv.Index, UpdatedInVersion: nv.Index, CreatedAt: now, UpdatedAt: now}
			if e.EditType == "append_row" {
				nv.Rows = append(nv.Rows, r)
			} else {
				nv.Rows = append([]*rowRec{r}, nv.Rows...)
			}
			nv.RowsAdded++
		case "update_row":
			j, err := findRow(i, e.RowID)
			if err != nil {
				return err
			}
			if e.Values == nil {
				return missing("edits", i, "values")
			}
			vals := normalizeRow(e.Values)
			addCols(vals)
			old := nv.Rows[j]
			merged := make(map[string]any, len(old.Values)+len(vals))
			for k, v := range old.Values {
				merged[k] = v
			}
			for k, v := range vals {
				merged[k] = v
			}
			nv.Rows[j] = &rowRec{ID: old.ID, Values: merged, CreatedInVersion: old.CreatedInVersion, UpdatedInVersion: nv.Index, CreatedAt: old.CreatedAt, UpdatedAt: now}
			nv.RowsEdited++
		case "delete_row":
			j, err := findRow(i, e.RowID)
			if err != nil {
				return err
			}
			nv.Rows = append(nv.Rows[:j:j], nv.Rows[j+1:]...)
			nv.RowsRemoved++
		case "filter_rows":
			if e.RowIDs == nil {
				return missing("edits", i, "row_ids")
			}
			keep := nv.Rows[:0:0]
			for _, r := range nv.Rows {
				if slices.Contains(e.RowIDs, r.ID) {
					keep = append(keep, r)
				} else {
					nv.RowsRemoved++
				}
			}
			nv.Rows = keep
		case "remove_column":
			if e.ColumnName == "" {
				return missing("edits", i, "column_name")
			}
			k := slices.Index(nv.Columns, e.ColumnName)
			if k < 0 {
				return errorf(http.StatusNotFound, "Column %s not found in dataset %s", e.ColumnName, d.ID)
			}
			nv.Columns = slices.Delete(nv.Columns, k, k+1)
			nv.ColumnsRemoved++
			for j, r := range nv.Rows {
				vals := make(map[string]any, len(r.Values))
				for kk, v := range r.Values {
					if kk != e.ColumnName {
						vals[kk] = v
					}
				}
				nr := *r
				nr.Values = vals
				nv.Rows[j] = &nr
			}
		case "rename_column":
			if e.ColumnName == "" || e.NewColumnName == "" {
				return missing("edits", i, "new_column_name")
			}
			k := slices.Index(nv.Columns, e.ColumnName)
			if k < 0 {
				return errorf(http.StatusNotFound, "Column %s not found in dataset %s", e.ColumnName, d.ID)
			}
			if slices.Contains(nv.Columns, e.NewColumnName) {
				return errorf(http.StatusConflict, "Column %s already exists in dataset %s", e.NewColumnName, d.ID)
			}
			nv.Columns[k] = e.NewColumnName
			nv.ColumnsRenamed++
			for j, r := range nv.Rows {
				vals := make(map[string]any, len(r.Values))
				for kk, v := range r.Values {
					if kk == e.ColumnName {
						kk = e.NewColumnName
					}
					vals[kk] = v
				}
				nr := *r
				nr.Values = vals
				nv.Rows[j] = &nr
			}
		case "copy_record_data":
			var add []*rowRec
			for _, id := range e.IDs {
				n := s.st.nodes[id]
				if n == nil {
					return errorf(http.StatusNotFound, "Record %s not found", id)
				}
				vals := map[string]any{"input": textOf(n.Input), "output": textOf(n.Output)}
				if n.DatasetInput != nil {
					vals["input"] = *n.DatasetInput
				}
				if e.UseGeneratedOutputColumn {
					vals["generated_output"] = textOf(n.Output)
					vals["output"] = nil
					if n.DatasetOutput != nil {
						vals["output"] = *n.DatasetOutput
					}
				}
				addCols(vals)
				add = append(add, &rowRec{ID: s.newID(), Values: vals, CreatedInVersion: nv.Index, UpdatedInVersion: nv.Index, CreatedAt: now, UpdatedAt: now})
			}
			if e.Prepend == nil || *e.Prepend {
				nv.Rows = append(add, nv.Rows...)
			} else {
				nv.Rows = append(nv.Rows, add...)
			}
			nv.RowsAdded += len(add)
		case "":
			return missing("edits", i, "edit_type")
		default:
			return invalid("union_tag_invalid", fmt.Sprintf("Input tag '%s' found using 'edit_type' does not match any of the expected tags: 'prepend_row', 'append_row', 'update_row', 'delete_row', 'filter_rows', 'copy_record_data', 'remove_column', 'rename_column'", e.EditType), "edits", i)
		}
	}
	nd := *d
	nd.Versions = append(slices.Clone(d.Versions), nv)
	nd.UpdatedAt = now
	nd.ETag = s.newID()
	if err := s.commit("put", kindDataset, nd.ID, &nd); err != nil {
		return err
	}
	s.st.putDataset(&nd)
	c.w.Header().Set("ETag", nd.ETag)
	return c.noContent()
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
