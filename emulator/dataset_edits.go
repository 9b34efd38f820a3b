package emulator

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

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
	d, err := s.editDatasetContent(c.param("dataset_id"), c.r.Header.Get("If-Match"), body.Edits)
	if err != nil {
		return err
	}
	c.w.Header().Set("ETag", d.ETag)
	return c.noContent()
}

// editDatasetContent applies edits to the current version of dataset id and
// stores the result as a new version. ifMatch, when set, must be the
// dataset's ETag. Stages: find and check the dataset, build the next
// version edit by edit, store it under a new ETag.
func (s *Server) editDatasetContent(id, ifMatch string, edits []datasetEdit) (*datasetRec, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.dataset(id)
	if err != nil {
		return nil, err
	}
	if ifMatch != "" && strings.Trim(ifMatch, `"`) != d.ETag {
		return nil, errorf(http.StatusPreconditionFailed, "ETag mismatch: the dataset changed since it was read (current ETag %s)", d.ETag)
	}
	b := s.nextVersion(d)
	for i, e := range edits {
		if err := b.apply(i, e); err != nil {
			return nil, err
		}
	}
	return s.storeVersion(d, b)
}

// versionBuilder builds the next version of a dataset from content edits.
// Rows are shared with the previous version until an edit replaces them.
type versionBuilder struct {
	s   *Server
	d   *datasetRec
	nv  *datasetVer
	now time.Time
}

// nextVersion starts the version after d's current one. Call with s.mu held.
func (s *Server) nextVersion(d *datasetRec) *versionBuilder {
	now := s.now()
	cur := d.current()
	nv := &datasetVer{Index: cur.Index + 1, Columns: slices.Clone(cur.Columns), Rows: slices.Clone(cur.Rows), CreatedAt: now}
	return &versionBuilder{s: s, d: d, nv: nv, now: now}
}

// apply applies edit i.
func (b *versionBuilder) apply(i int, e datasetEdit) error {
	switch e.EditType {
	case "append_row", "prepend_row":
		return b.addRow(i, e)
	case "update_row":
		return b.updateRow(i, e)
	case "delete_row":
		j, err := b.findRow(i, e.RowID)
		if err != nil {
			return err
		}
		b.nv.Rows = append(b.nv.Rows[:j:j], b.nv.Rows[j+1:]...)
		b.nv.RowsRemoved++
		return nil
	case "filter_rows":
		return b.filterRows(i, e)
	case "remove_column":
		return b.removeColumn(i, e)
	case "rename_column":
		return b.renameColumn(i, e)
	case "copy_record_data":
		return b.copyRecords(e)
	case "":
		return missing("edits", i, "edit_type")
	}
	return invalid("union_tag_invalid", fmt.Sprintf("Input tag '%s' found using 'edit_type' does not match any of the expected tags: 'prepend_row', 'append_row', 'update_row', 'delete_row', 'filter_rows', 'copy_record_data', 'remove_column', 'rename_column'", e.EditType), "edits", i)
}

// addColumns adds the keys of vals that are not columns yet.
func (b *versionBuilder) addColumns(vals map[string]any) {
	for _, k := range preferred(sortedKeys(vals)) {
		if !slices.Contains(b.nv.Columns, k) {
			b.nv.Columns = append(b.nv.Columns, k)
			b.nv.ColumnsAdded++
		}
	}
}

// newRow is a row created in the version being built.
func (b *versionBuilder) newRow(id string, vals map[string]any) *rowRec {
	return &rowRec{ID: id, Values: vals, CreatedInVersion: b.nv.Index, UpdatedInVersion: b.nv.Index, CreatedAt: b.now, UpdatedAt: b.now}
}

// findRow returns the index of the row edit i names.
func (b *versionBuilder) findRow(i int, id *string) (int, error) {
	if id == nil {
		return -1, missing("edits", i, "row_id")
	}
	for j, r := range b.nv.Rows {
		if r.ID == *id {
			return j, nil
		}
	}
	return -1, errorf(http.StatusNotFound, "Row %s not found in dataset %s", *id, b.d.ID)
}

func (b *versionBuilder) addRow(i int, e datasetEdit) error {
	if e.Values == nil {
		return missing("edits", i, "values")
	}
	vals := normalizeRow(e.Values)
	b.addColumns(vals)
	id := b.s.newID()
	if e.RowID != nil && *e.RowID != "" {
		id = *e.RowID
	}
	r := b.newRow(id, vals)
	if e.EditType == "append_row" {
		b.nv.Rows = append(b.nv.Rows, r)
	} else {
		b.nv.Rows = append([]*rowRec{r}, b.nv.Rows...)
	}
	b.nv.RowsAdded++
	return nil
}

func (b *versionBuilder) updateRow(i int, e datasetEdit) error {
	j, err := b.findRow(i, e.RowID)
	if err != nil {
		return err
	}
	if e.Values == nil {
		return missing("edits", i, "values")
	}
	vals := normalizeRow(e.Values)
	b.addColumns(vals)
	old := b.nv.Rows[j]
	merged := make(map[string]any, len(old.Values)+len(vals))
	maps.Copy(merged, old.Values)
	maps.Copy(merged, vals)
	b.nv.Rows[j] = &rowRec{ID: old.ID, Values: merged, CreatedInVersion: old.CreatedInVersion, UpdatedInVersion: b.nv.Index, CreatedAt: old.CreatedAt, UpdatedAt: b.now}
	b.nv.RowsEdited++
	return nil
}

func (b *versionBuilder) filterRows(i int, e datasetEdit) error {
	if e.RowIDs == nil {
		return missing("edits", i, "row_ids")
	}
	keep := b.nv.Rows[:0:0]
	for _, r := range b.nv.Rows {
		if slices.Contains(e.RowIDs, r.ID) {
			keep = append(keep, r)
		} else {
			b.nv.RowsRemoved++
		}
	}
	b.nv.Rows = keep
	return nil
}

// column returns the index of column name, or a 404.
func (b *versionBuilder) column(name string) (int, error) {
	k := slices.Index(b.nv.Columns, name)
	if k < 0 {
		return -1, errorf(http.StatusNotFound, "Column %s not found in dataset %s", name, b.d.ID)
	}
	return k, nil
}

// rekeyRows replaces every row by a copy whose values went through f
// (which returns the new key, and false to drop the value).
func (b *versionBuilder) rekeyRows(f func(key string) (string, bool)) {
	for j, r := range b.nv.Rows {
		vals := make(map[string]any, len(r.Values))
		for k, v := range r.Values {
			if nk, keep := f(k); keep {
				vals[nk] = v
			}
		}
		nr := *r
		nr.Values = vals
		b.nv.Rows[j] = &nr
	}
}

func (b *versionBuilder) removeColumn(i int, e datasetEdit) error {
	if e.ColumnName == "" {
		return missing("edits", i, "column_name")
	}
	k, err := b.column(e.ColumnName)
	if err != nil {
		return err
	}
	b.nv.Columns = slices.Delete(b.nv.Columns, k, k+1)
	b.nv.ColumnsRemoved++
	b.rekeyRows(func(key string) (string, bool) { return key, key != e.ColumnName })
	return nil
}

func (b *versionBuilder) renameColumn(i int, e datasetEdit) error {
	if e.ColumnName == "" || e.NewColumnName == "" {
		return missing("edits", i, "new_column_name")
	}
	k, err := b.column(e.ColumnName)
	if err != nil {
		return err
	}
	if slices.Contains(b.nv.Columns, e.NewColumnName) {
		return errorf(http.StatusConflict, "Column %s already exists in dataset %s", e.NewColumnName, b.d.ID)
	}
	b.nv.Columns[k] = e.NewColumnName
	b.nv.ColumnsRenamed++
	b.rekeyRows(func(key string) (string, bool) {
		if key == e.ColumnName {
			return e.NewColumnName, true
		}
		return key, true
	})
	return nil
}

// copyRecords adds one row per record id: its input and output (and, with
// use_generated_output_column, the output as generated_output and the
// record's dataset output as output).
func (b *versionBuilder) copyRecords(e datasetEdit) error {
	var add []*rowRec
	for _, id := range e.IDs {
		n := b.s.st.nodes[id]
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
		b.addColumns(vals)
		add = append(add, b.newRow(b.s.newID(), vals))
	}
	if e.Prepend == nil || *e.Prepend {
		b.nv.Rows = append(add, b.nv.Rows...)
	} else {
		b.nv.Rows = append(b.nv.Rows, add...)
	}
	b.nv.RowsAdded += len(add)
	return nil
}

// handleUpsertDatasetContent serves PUT /datasets/{dataset_id}/content: a
// RollbackRequest (rollback_version: copy that version of this dataset) or
// an UpsertDatasetContentRequest (dataset_id and optional version_index:
// copy that dataset's version, its current one by default). The copy
// becomes a new version; the answer is a 204 with the new ETag.
func (s *Server) handleUpsertDatasetContent(c *call) error {
	var body struct {
		RollbackVersion *int    `json:"rollback_version"`
		DatasetID       *string `json:"dataset_id"`
		VersionIndex    *int    `json:"version_index"`
	}
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	id := c.param("dataset_id")
	src, version := id, body.RollbackVersion
	if body.RollbackVersion == nil {
		if body.DatasetID == nil {
			return missing("rollback_version")
		}
		src, version = *body.DatasetID, body.VersionIndex
	}
	d, err := s.replaceDatasetContent(id, src, version)
	if err != nil {
		return err
	}
	c.w.Header().Set("ETag", d.ETag)
	return c.noContent()
}

// storeVersion stores the version b built as the next version of d, under
// a new ETag. The caller holds s.mu.
func (s *Server) storeVersion(d *datasetRec, b *versionBuilder) (*datasetRec, error) {
	nd := *d
	nd.Versions = append(slices.Clone(d.Versions), b.nv)
	nd.UpdatedAt = b.now
	nd.ETag = s.newID()
	if err := s.commit("put", kindDataset, nd.ID, &nd); err != nil {
		return nil, err
	}
	s.st.putDataset(&nd)
	return &nd, nil
}

// replaceDatasetContent stores, as the next version of dataset id, the
// columns and rows of version (nil: the current one) of dataset src (which
// may be id itself, for a rollback). Rows keep their IDs when src is id.
func (s *Server) replaceDatasetContent(id, src string, version *int) (*datasetRec, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.dataset(id)
	if err != nil {
		return nil, err
	}
	from, err := s.dataset(src)
	if err != nil {
		return nil, err
	}
	ver := from.current()
	if version != nil {
		if *version < 0 || *version >= len(from.Versions) {
			return nil, errorf(http.StatusNotFound, "Version %d of dataset %s not found", *version, from.ID)
		}
		ver = from.Versions[*version]
	}
	b := s.nextVersion(d)
	b.nv.Columns = slices.Clone(ver.Columns)
	if src == id {
		b.nv.Rows = slices.Clone(ver.Rows)
	} else {
		b.nv.Rows = make([]*rowRec, 0, len(ver.Rows))
		for _, r := range ver.Rows {
			b.nv.Rows = append(b.nv.Rows, b.newRow(s.newID(), maps.Clone(r.Values)))
		}
	}
	prev := d.current()
	b.nv.RowsAdded, b.nv.RowsRemoved = len(b.nv.Rows), len(prev.Rows)
	b.nv.ColumnsAdded, b.nv.ColumnsRemoved = len(b.nv.Columns), len(prev.Columns)
	return s.storeVersion(d, b)
}
