package emulator

import "net/http"

// handleRenderTemplate serves POST /render_template: the template rendered
// with each row of a dataset version (DatasetData) or with each input
// string (StringData, the string being the row's input), paginated.
func (s *Server) handleRenderTemplate(c *call) error {
	var body struct {
		Template *string `json:"template"`
		Data     *struct {
			DatasetID    *string  `json:"dataset_id"`
			VersionIndex *int     `json:"dataset_version_index"`
			InputStrings []string `json:"input_strings"`
		} `json:"data"`
	}
	pg, err := c.listRequest(&body)
	if err != nil {
		return err
	}
	if body.Template == nil {
		return missing("template")
	}
	if body.Data == nil {
		return missing("data")
	}
	rows, err := s.renderRows(body.Data.DatasetID, body.Data.VersionIndex, body.Data.InputStrings)
	if err != nil {
		return err
	}
	out, env := pageOf(pg, rows, func(row map[string]any) renderedTemplate {
		return renderedTemplate{Result: render(*body.Template, row)}
	})
	return c.json(http.StatusOK, struct {
		pageEnvelope
		RenderedTemplates []renderedTemplate `json:"rendered_templates"`
	}{env, out})
}

// renderedTemplate is RenderedTemplate of the API.
type renderedTemplate struct {
	Result  string  `json:"result"`
	Warning *string `json:"warning"`
}

// renderRows returns the variables of each row to render a template with:
// the rows of version (nil: the current one) of dataset datasetID, or, when
// datasetID is nil, one row {"input": s} per input string.
func (s *Server) renderRows(datasetID *string, version *int, inputs []string) ([]map[string]any, error) {
	if datasetID == nil {
		if inputs == nil {
			return nil, missing("data", "input_strings")
		}
		rows := make([]map[string]any, 0, len(inputs))
		for _, in := range inputs {
			rows = append(rows, map[string]any{"input": in})
		}
		return rows, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.dataset(*datasetID)
	if err != nil {
		return nil, err
	}
	ver := d.current()
	if version != nil {
		if *version < 0 || *version >= len(d.Versions) {
			return nil, errorf(http.StatusNotFound, "Version %d of dataset %s not found", *version, d.ID)
		}
		ver = d.Versions[*version]
	}
	rows := make([]map[string]any, 0, len(ver.Rows))
	for _, r := range ver.Rows {
		rows = append(rows, r.Values)
	}
	return rows, nil
}
