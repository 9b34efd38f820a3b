package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/galileo-community/galileo-go/galileo"
)

// serverPromptDefaults are the server-side defaults of PromptRunSettings
// (what a template version gets when its settings are omitted).
func serverPromptDefaults() galileo.PromptRunSettings {
	return galileo.PromptRunSettings{Logprobs: true, TopLogprobs: 5, N: 1, ReasoningEffort: "medium", Verbosity: "medium",
		ModelAlias: "gpt-5.1", MaxTokens: 4096, TopP: 1, TopK: 40}
}

// decodeSettings reads settings over the server defaults, so omitted keys
// keep their defaults.
func decodeSettings(raw json.RawMessage, loc ...any) (galileo.PromptRunSettings, error) {
	set := serverPromptDefaults()
	if len(raw) == 0 || string(raw) == "null" {
		return set, nil
	}
	if err := unmarshalBody(raw, &set); err != nil {
		return set, invalid("model_attributes_type", "Input should be a valid PromptRunSettings object", loc...)
	}
	return set, nil
}

// templateBody is BasePromptTemplateVersion plus the create-only fields.
type templateBody struct {
	Name       json.RawMessage `json:"name"`
	Template   json.RawMessage `json:"template"`
	Raw        bool            `json:"raw"`
	Version    *int            `json:"version"`
	Settings   json.RawMessage `json:"settings"`
	OutputType *string         `json:"output_type"`
	Hidden     bool            `json:"hidden"`
}

// version validates the template and settings of body and returns the
// version they describe; the caller sets its ID, number and creation time.
func (body templateBody) version() (*templateVer, error) {
	tmpl, err := checkTemplate(body.Template)
	if err != nil {
		return nil, err
	}
	set, err := decodeSettings(body.Settings, "settings")
	if err != nil {
		return nil, err
	}
	return &templateVer{Template: tmpl, Raw: body.Raw, Settings: set, OutputType: body.OutputType}, nil
}

// checkTemplate validates a template: a string or a list of {role, content}.
func checkTemplate(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, missing("template")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return raw, nil
	}
	var msgs []map[string]any
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return nil, invalid("string_type", "Input should be a valid string or a list of messages", "template")
	}
	for i, m := range msgs {
		if _, ok := m["role"].(string); !ok {
			return nil, missing("template", i, "role")
		}
		if _, ok := m["content"]; !ok {
			return nil, missing("template", i, "content")
		}
	}
	b, _ := json.Marshal(msgs)
	return b, nil
}

func (s *Server) templateVersionJSON(v *templateVer) galileo.PromptTemplateVersion {
	return galileo.PromptTemplateVersion{ID: v.ID, Version: v.Version, Template: v.Template, Raw: v.Raw, Settings: v.Settings,
		OutputType: v.OutputType, CreatedAt: v.CreatedAt, UpdatedAt: v.CreatedAt, CreatedByUser: userInfo()}
}

func (s *Server) templateJSON(t *templateRec) galileo.PromptTemplate {
	sel := t.selected()
	out := galileo.PromptTemplate{ID: t.ID, Name: t.Name, Template: templateText(sel.Template), SelectedVersion: s.templateVersionJSON(sel),
		SelectedVersionID: sel.ID, TotalVersions: len(t.Versions), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		CreatedByUser: userInfo(), Permissions: []any{}, AllVersions: []galileo.PromptTemplateVersion{}, AllAvailableVersions: []int{}}
	for _, v := range t.Versions {
		out.AllVersions = append(out.AllVersions, s.templateVersionJSON(v))
		out.AllAvailableVersions = append(out.AllAvailableVersions, v.Version)
		out.MaxVersion = max(out.MaxVersion, v.Version)
	}
	return out
}

// templateText is the template as one string: the string itself, or the
// message list as JSON.
func templateText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func (s *Server) template(id string) (*templateRec, error) {
	t := s.st.Templates[id]
	if t == nil {
		return nil, notFound("Prompt template", id)
	}
	return t, nil
}

func nameString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", missing("name")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), nil
	}
	var obj struct {
		Value string `json:"value"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Value != "" {
		return strings.TrimSpace(obj.Value), nil
	}
	return "", invalid("string_type", "Input should be a valid string", "name")
}

// templateSpec is what a new prompt template is made of, from POST
// /templates (or its project route) or Server.CreatePromptTemplate.
type templateSpec struct {
	Name      string
	ProjectID string          // "" for none
	Template  json.RawMessage // a string or a list of {role, content}
	Raw       bool
	Settings  galileo.PromptRunSettings
	// OutputType and Version (default 0) describe the first version.
	OutputType *string
	Version    *int
}

// createTemplate validates and stores a prompt template with its first
// version, which is selected. The name is trimmed and must not be blank; a
// taken name is a 409.
func (s *Server) createTemplate(in templateSpec) (*templateRec, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, invalid("string_too_short", "String should have at least 1 character", "name")
	}
	tmpl, err := checkTemplate(in.Template)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.ProjectID != "" {
		if _, err := s.project(in.ProjectID); err != nil {
			return nil, err
		}
	}
	for _, t := range s.st.Templates {
		if t.Name == name {
			return nil, errorf(http.StatusConflict, "Prompt template with name %s already exists", name)
		}
	}
	now := s.now()
	v := &templateVer{ID: s.newID(), Template: tmpl, Raw: in.Raw, Settings: in.Settings, OutputType: in.OutputType, CreatedAt: now}
	if in.Version != nil {
		v.Version = *in.Version
	}
	t := &templateRec{ID: s.newID(), Name: name, Selected: v.Version, Versions: []*templateVer{v}, CreatedAt: now, UpdatedAt: now}
	if in.ProjectID != "" {
		t.ProjectIDs = []string{in.ProjectID}
	}
	if err := s.commit("put", kindTemplate, t.ID, t); err != nil {
		return nil, err
	}
	s.st.putTemplate(t)
	return t, nil
}

// serveCreateTemplate serves both template create routes.
func (s *Server) serveCreateTemplate(c *call, projectID string) error {
	var body templateBody
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	name, err := nameString(body.Name)
	if err != nil {
		return err
	}
	set, err := decodeSettings(body.Settings, "settings")
	if err != nil {
		return err
	}
	t, err := s.createTemplate(templateSpec{Name: name, ProjectID: projectID, Template: body.Template, Raw: body.Raw,
		Settings: set, OutputType: body.OutputType, Version: body.Version})
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, s.templateJSON(t))
}

func (s *Server) handleCreateTemplate(c *call) error {
	return s.serveCreateTemplate(c, c.query("project_id"))
}

func (s *Server) handleCreateProjectTemplate(c *call) error {
	return s.serveCreateTemplate(c, c.param("project_id"))
}

func (s *Server) handleQueryTemplates(c *call) error {
	var body listBody
	pg, err := c.listRequest(&body)
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []*templateRec
	for _, id := range sortedIDs(s.st, s.st.Templates) {
		all = append(all, s.st.Templates[id])
	}
	list, err := filterItems(all, body.Filters, func(i int, f listFilter, t *templateRec) (bool, error) {
		if m, ok := matchProject(f, t.ProjectIDs); ok {
			return m, nil
		}
		switch f.column() {
		case "name":
			return matchText(i, f, t.Name, true)
		case "id":
			return matchText(i, f, t.ID, false)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	col := body.Sort.column("created_at")
	sortBy(list, body.Sort.ascending(false), func(a, b *templateRec) int { return a.listKeys().cmp(col, b.listKeys()) })
	templates, env := pageOf(pg, list, s.templateJSON)
	return c.json(http.StatusOK, galileo.ListPromptTemplateResponse{Page: env, Templates: templates})
}

func (s *Server) handleProjectTemplates(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	out := []galileo.PromptTemplate{}
	for _, id := range sortedIDs(s.st, s.st.Templates) {
		if t := s.st.Templates[id]; slices.Contains(t.ProjectIDs, p.ID) {
			out = append(out, s.templateJSON(t))
		}
	}
	return c.json(http.StatusOK, out)
}

func (s *Server) handleGetTemplate(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.template(c.param("template_id"))
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, s.templateJSON(t))
}

func (s *Server) handleDeleteTemplate(c *call) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.template(c.param("template_id"))
	if err != nil {
		return err
	}
	if err := s.commit("del", kindTemplate, t.ID, nil); err != nil {
		return err
	}
	s.st.deleteTemplate(t.ID)
	return c.json(http.StatusOK, map[string]string{"message": "Prompt template " + t.Name + " deleted"})
}

// noTemplateVersion is the 404 for a missing version n of a template named
// by id or name.
func noTemplateVersion(n int, template string) error {
	return errorf(http.StatusNotFound, "Version %d of prompt template %s not found", n, template)
}

func versionParam(c *call) (int, error) {
	v, err := strconv.Atoi(c.param("version"))
	if err != nil {
		return 0, invalid("int_parsing", "Input should be a valid integer", "path", "version")
	}
	return v, nil
}

func (s *Server) handleGetTemplateVersion(c *call) error {
	n, err := versionParam(c)
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.template(c.param("template_id"))
	if err != nil {
		return err
	}
	v := t.version(n)
	if v == nil {
		return noTemplateVersion(n, t.ID)
	}
	return c.json(http.StatusOK, s.templateVersionJSON(v))
}

func (s *Server) handleSelectTemplateVersion(c *call) error {
	n, err := versionParam(c)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.template(c.param("template_id"))
	if err != nil {
		return err
	}
	if t.version(n) == nil {
		return noTemplateVersion(n, t.ID)
	}
	nt := *t
	nt.Selected = n
	nt.UpdatedAt = s.now()
	if err := s.commit("put", kindTemplate, nt.ID, &nt); err != nil {
		return err
	}
	s.st.putTemplate(&nt)
	return c.json(http.StatusOK, s.templateJSON(&nt))
}

func (s *Server) handleCreateTemplateVersion(c *call) error {
	var body templateBody
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	v, err := body.version()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.template(c.param("template_id"))
	if err != nil {
		return err
	}
	maxV := 0
	for _, tv := range t.Versions {
		maxV = max(maxV, tv.Version)
	}
	n := maxV + 1
	if body.Version != nil {
		n = *body.Version
		if t.version(n) != nil {
			return errorf(http.StatusConflict, "Version %d of prompt template %s already exists", n, t.ID)
		}
	}
	now := s.now()
	prev := t.selected()
	v.ID, v.Version, v.CreatedAt = s.newID(), n, now
	nt := *t
	nt.Versions = append(slices.Clone(t.Versions), v)
	nt.Selected = n
	nt.UpdatedAt = now
	if err := s.commit("put", kindTemplate, nt.ID, &nt); err != nil {
		return err
	}
	s.st.putTemplate(&nt)
	out := s.templateVersionJSON(v)
	out.ContentChanged = string(prev.Template) != string(v.Template)
	out.ModelChanged = prev.Settings.ModelAlias != v.Settings.ModelAlias
	pb, _ := json.Marshal(prev.Settings)
	vb, _ := json.Marshal(v.Settings)
	out.SettingsChanged = string(pb) != string(vb)
	return c.json(http.StatusOK, out)
}

func (s *Server) handleQueryTemplateVersions(c *call) error {
	var body struct {
		Sort *listSort `json:"sort"`
	}
	pg, err := c.listRequest(&body)
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.template(c.param("template_id"))
	if err != nil {
		return err
	}
	vers := slices.Clone(t.Versions)
	col := body.Sort.column("version")
	sortBy(vers, body.Sort.ascending(false), func(a, b *templateVer) int {
		if col == "created_at" || col == "updated_at" {
			return cmpTime(a.CreatedAt, b.CreatedAt)
		}
		return a.Version - b.Version
	})
	out, env := pageOf(pg, vers, s.templateVersionJSON)
	return c.json(http.StatusOK, struct {
		pageEnvelope
		Versions []galileo.PromptTemplateVersion `json:"versions"`
	}{env, out})
}

// handleProjectTemplateVersionByName serves GET
// /projects/{pid}/templates/versions?template_name=&version=.
func (s *Server) handleProjectTemplateVersionByName(c *call) error {
	name := c.query("template_name")
	if name == "" {
		return missing("query", "template_name")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.project(c.param("project_id")); err != nil {
		return err
	}
	for _, t := range s.st.Templates {
		if t.Name != name {
			continue
		}
		v := t.selected()
		if q := c.query("version"); q != "" {
			n, err := strconv.Atoi(q)
			if err != nil {
				return invalid("int_parsing", "Input should be a valid integer", "query", "version")
			}
			if v = t.version(n); v == nil {
				return noTemplateVersion(n, name)
			}
		}
		return c.json(http.StatusOK, s.templateVersionJSON(v))
	}
	return errorf(http.StatusNotFound, "Prompt template %s not found", name)
}

// handleUpdateTemplate serves PATCH /templates/{template_id}
// (UpdatePromptTemplateRequest: a name, as a string or a Name object, or
// null for no change).
func (s *Server) handleUpdateTemplate(c *call) error {
	var body struct {
		Name json.RawMessage `json:"name"`
	}
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	var name *string
	if len(body.Name) > 0 && string(body.Name) != "null" {
		n, err := nameString(body.Name)
		if err != nil {
			return err
		}
		name = &n
	}
	t, err := s.updateTemplate(c.param("template_id"), name)
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return c.json(http.StatusOK, s.templateJSON(t))
}

// updateTemplate renames template id (name nil: no change). The name is
// trimmed and must not be blank; a name taken by another template is a 409.
func (s *Server) updateTemplate(id string, name *string) (*templateRec, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.template(id)
	if err != nil {
		return nil, err
	}
	nt := *t
	if name != nil {
		n := strings.TrimSpace(*name)
		if n == "" {
			return nil, invalid("string_too_short", "String should have at least 1 character", "name")
		}
		for _, o := range s.st.Templates {
			if o.ID != t.ID && o.Name == n {
				return nil, errorf(http.StatusConflict, "Prompt template with name %s already exists", n)
			}
		}
		nt.Name = n
	}
	nt.UpdatedAt = s.now()
	if err := s.commit("put", kindTemplate, nt.ID, &nt); err != nil {
		return nil, err
	}
	s.st.putTemplate(&nt)
	return &nt, nil
}
