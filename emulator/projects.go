package emulator

import (
	"net/http"
	"slices"
	"strings"

	"github.com/galileo-community/galileo-go/galileo"
)

func (s *Server) projectDB(p *projectRec) galileo.Project {
	name, typ := p.Name, p.Type
	labels := p.Labels
	if labels == nil {
		labels = []string{}
	}
	return galileo.Project{ID: p.ID, Name: &name, Type: &typ, CreatedBy: userID, CreatedByUser: *userInfo(),
		Runs: []any{}, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Permissions: []any{}, Description: p.Description, Labels: labels}
}

// projectThin is ProjectDBThin.
type projectThin struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	CreatedBy   string  `json:"created_by"`
	Runs        []any   `json:"runs"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
	Permissions []any   `json:"permissions"`
	Bookmark    bool    `json:"bookmark"`
	Description *string `json:"description,omitempty"`
}

func (s *Server) project(id string) (*projectRec, error) {
	p := s.st.Projects[id]
	if p == nil {
		return nil, notFound("Project", id)
	}
	return p, nil
}

func (s *Server) projectsByCreation() []*projectRec {
	var out []*projectRec
	for _, id := range sortedIDs(s.st, s.st.Projects) {
		out = append(out, s.st.Projects[id])
	}
	return out
}

func typeMatches(p *projectRec, want string) bool { return want == "" || p.Type == want }

func (s *Server) handleListProjects(c *call) error {
	name := c.query("project_name")
	typ := c.query("type")
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []galileo.Project{}
	for _, p := range s.projectsByCreation() {
		if (name == "" || p.Name == name) && typeMatches(p, typ) {
			out = append(out, s.projectDB(p))
		}
	}
	return c.json(http.StatusOK, out)
}

func (s *Server) handleAllProjects(c *call) error {
	typ := c.query("type")
	if typ == "" {
		typ = c.query("project_type")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []projectThin{}
	for _, p := range s.projectsByCreation() {
		if typeMatches(p, typ) {
			out = append(out, projectThin{ID: p.ID, Name: p.Name, Type: p.Type, CreatedBy: userID, Runs: []any{},
				CreatedAt: rfc(p.CreatedAt), UpdatedAt: rfc(p.UpdatedAt), Permissions: []any{}, Description: p.Description})
		}
	}
	return c.json(http.StatusOK, out)
}

func (s *Server) handlePaginatedProjects(c *call) error {
	var body listBody
	pg, err := c.listRequest(&body)
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	list, err := filterItems(s.projectsByCreation(), body.Filters, func(i int, f listFilter, p *projectRec) (bool, error) {
		switch f.column() {
		case "name":
			return matchText(i, f, p.Name, true)
		case "type":
			return matchText(i, f, p.Type, true)
		case "id":
			return matchText(i, f, p.ID, false)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	col := body.Sort.column("created_at")
	sortBy(list, body.Sort.ascending(false), func(a, b *projectRec) int {
		if col == "name" {
			return strings.Compare(a.Name, b.Name)
		}
		return cmpTime(a.CreatedAt, b.CreatedAt)
	})
	out, env := pageOf(pg, list, s.projectDB)
	return c.json(http.StatusOK, struct {
		pageEnvelope
		Projects []galileo.Project `json:"projects"`
	}{env, out})
}

// projectSpec is what a new project is made of, from POST /projects or
// Server.CreateProject.
type projectSpec struct {
	Name        string
	Type        string // "" means gen_ai
	Description *string
}

// projectTypes are the project types Galileo accepts.
var projectTypes = []string{"prompt_evaluation", "llm_monitor", "protect", galileo.ProjectTypeGenAI}

// createProject validates and stores a project. The name is trimmed and
// must not be blank; a project of the same name and type is a 409.
func (s *Server) createProject(in projectSpec) (*projectRec, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, invalid("string_too_short", "String should have at least 1 character", "name")
	}
	typ := in.Type
	if typ == "" {
		typ = galileo.ProjectTypeGenAI
	}
	if !slices.Contains(projectTypes, typ) {
		return nil, invalid("enum", "Input should be 'prompt_evaluation', 'llm_monitor', 'protect' or 'gen_ai'", "type")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.st.Projects {
		if p.Name == name && p.Type == typ {
			return nil, errorf(http.StatusConflict, "Project with name %s already exists", name)
		}
	}
	now := s.now()
	p := &projectRec{ID: s.newID(), Name: name, Type: typ, Description: in.Description, CreatedAt: now, UpdatedAt: now}
	if err := s.commit("put", kindProject, p.ID, p); err != nil {
		return nil, err
	}
	s.st.putProject(p)
	return p, nil
}

func (s *Server) handleCreateProject(c *call) error {
	var body struct {
		Name        *string `json:"name"`
		Type        *string `json:"type"`
		Description *string `json:"description"`
	}
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	if body.Name == nil {
		return missing("name")
	}
	in := projectSpec{Name: *body.Name, Description: body.Description}
	if body.Type != nil {
		in.Type = *body.Type
	}
	p, err := s.createProject(in)
	if err != nil {
		return err
	}
	n, t, by := p.Name, p.Type, userID
	return c.json(http.StatusOK, galileo.ProjectCreateResponse{ID: p.ID, Name: &n, Type: &t, CreatedBy: &by, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt})
}

func (s *Server) handleGetProject(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, s.projectDB(p))
}

func (s *Server) handleUpdateProject(c *call) error {
	var body struct {
		Name        *string  `json:"name"`
		Labels      []string `json:"labels"`
		Description *string  `json:"description"`
	}
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	np := *p
	if body.Name != nil && strings.TrimSpace(*body.Name) != "" {
		np.Name = strings.TrimSpace(*body.Name)
	}
	if body.Labels != nil {
		np.Labels = body.Labels
	}
	if body.Description != nil {
		np.Description = body.Description
	}
	np.UpdatedAt = s.now()
	if err := s.commit("put", kindProject, np.ID, &np); err != nil {
		return err
	}
	s.st.putProject(&np)
	labels := np.Labels
	if labels == nil {
		labels = []string{}
	}
	return c.json(http.StatusOK, map[string]any{"id": np.ID, "name": np.Name, "type": np.Type, "created_by": userID,
		"created_at": rfc(np.CreatedAt), "updated_at": rfc(np.UpdatedAt), "labels": labels, "description": np.Description})
}

func (s *Server) handleDeleteProject(c *call) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	if err := s.commit("del", kindProject, p.ID, nil); err != nil {
		return err
	}
	s.st.deleteProject(p.ID)
	s.rerank(p.ID)
	return c.json(http.StatusOK, map[string]string{"message": "Project " + p.Name + " deleted"})
}

func (s *Server) logStreamJSON(l *logStreamRec) galileo.LogStream {
	by := userID
	return galileo.LogStream{ID: l.ID, Name: l.Name, ProjectID: l.ProjectID, CreatedAt: l.CreatedAt, UpdatedAt: l.CreatedAt, CreatedBy: &by}
}

func (s *Server) handleListLogStreams(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	out := []galileo.LogStream{}
	for _, id := range sortedIDs(s.st, s.st.LogStreams) {
		if l := s.st.LogStreams[id]; l.ProjectID == p.ID {
			out = append(out, s.logStreamJSON(l))
		}
	}
	return c.json(http.StatusOK, out)
}

func (s *Server) handleCreateLogStream(c *call) error {
	var body struct {
		Name *string `json:"name"`
	}
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	if body.Name == nil || *body.Name == "" {
		return missing("name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.project(c.param("project_id"))
	if err != nil {
		return err
	}
	for _, l := range s.st.LogStreams {
		if l.ProjectID == p.ID && l.Name == *body.Name {
			return errorf(http.StatusConflict, "Log stream with name %s already exists", *body.Name)
		}
	}
	l := &logStreamRec{ID: s.newID(), ProjectID: p.ID, Name: *body.Name, CreatedAt: s.now()}
	if err := s.commit("put", kindLogStream, l.ID, l); err != nil {
		return err
	}
	s.st.putLogStream(l)
	return c.json(http.StatusOK, s.logStreamJSON(l))
}
