package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

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
