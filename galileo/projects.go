package galileo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ProjectsService handles projects (/projects).
type ProjectsService struct{ c *Client }

// ProjectDeleteResponse is the body returned by DELETE /projects/{id}.
type ProjectDeleteResponse struct {
	Message string `json:"message"`
}

// Get returns the project with the given id (GET /projects/{id}). A missing
// project is an error matching [ErrNotFound].
func (s *ProjectsService) Get(ctx context.Context, id string) (*Project, error) {
	if strings.TrimSpace(id) == "" {
		return nil, errors.New("galileo: Projects.Get: empty project id")
	}
	var p Project
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: "/projects/" + url.PathEscape(id), idempotent: true}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// GetByName returns the gen_ai project with this name
// (GET /projects?project_name=NAME&type=gen_ai; an exact match is preferred,
// else the server's first match). When there is
// none the error matches [ErrNotFound].
func (s *ProjectsService) GetByName(ctx context.Context, name string) (*Project, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("galileo: Projects.GetByName: empty project name")
	}
	var ps []Project
	q := url.Values{"project_name": {name}, "type": {ProjectTypeGenAI}}
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: "/projects", query: q, idempotent: true}, &ps); err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].ProjectName() == name {
			return &ps[i], nil
		}
	}
	if len(ps) > 0 { // the server's own match, as the SDKs take it
		return &ps[0], nil
	}
	return nil, fmt.Errorf("galileo: project %q: %w", name, ErrNotFound)
}

// List returns every gen_ai project the caller can see
// (GET /projects/all?type=gen_ai). The API sends a thin form of each project:
// CreatedByUser, Description and Labels are left empty.
func (s *ProjectsService) List(ctx context.Context) ([]Project, error) {
	var ps []Project
	q := url.Values{"type": {ProjectTypeGenAI}}
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: "/projects/all", query: q, idempotent: true}, &ps); err != nil {
		return nil, err
	}
	return ps, nil
}

// Create creates a gen_ai project (POST /projects). If the call fails in a
// way that leaves it unknown whether the server created the project, the
// client looks the name up before retrying, so a retry never creates a
// second project.
func (s *ProjectsService) Create(ctx context.Context, name string) (*ProjectCreateResponse, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("galileo: Projects.Create: empty project name")
	}
	var out ProjectCreateResponse
	req := &request{
		method: http.MethodPost,
		path:   "/projects",
		body:   ProjectCreateRequest{Name: name, Type: ProjectTypeGenAI},
		onAmbiguous: func(ctx context.Context) (bool, error) {
			p, err := s.GetByName(ctx, name)
			if errors.Is(err, ErrNotFound) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			if p.ProjectName() != name {
				return false, nil // only a looser match of the server's
			}
			out = ProjectCreateResponse{ID: p.ID, Name: p.Name, Type: p.Type, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
			if p.CreatedBy != "" {
				cb := p.CreatedBy
				out.CreatedBy = &cb
			}
			return true, nil
		},
	}
	if _, err := s.c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes a project and everything in it (DELETE /projects/{id}).
func (s *ProjectsService) Delete(ctx context.Context, id string) error {
	if strings.TrimSpace(id) == "" {
		return errors.New("galileo: Projects.Delete: empty project id")
	}
	var out ProjectDeleteResponse
	_, err := s.c.call(ctx, &request{method: http.MethodDelete, path: "/projects/" + url.PathEscape(id), idempotent: true}, &out)
	return err
}

// Resolve finds a project from an explicit id or name with the precedence of
// the official SDKs: a non-blank id wins (GET by id), else a non-blank name
// (lookup by name), else the client's default project ([WithDefaultProject],
// or the environment's with [WithEnvProject]). Whitespace-only values count
// as unset. With none of them, Resolve fails without any HTTP call.
func (s *ProjectsService) Resolve(ctx context.Context, id, name string) (*Project, error) {
	id, name = strings.TrimSpace(id), strings.TrimSpace(name)
	if id == "" && name == "" {
		id, name = s.c.projectID, s.c.projectName
	}
	switch {
	case id != "":
		return s.Get(ctx, id)
	case name != "":
		return s.GetByName(ctx, name)
	default:
		return nil, errors.New("galileo: no project given: set a project id or name, or give the client a default (WithDefaultProject, or WithEnvProject for GALILEO_PROJECT_ID / GALILEO_PROJECT)")
	}
}

// Ensure returns the gen_ai project named exactly name, creating it when
// there is none. It tolerates a concurrent create: when the server answers
// the create with 409 (another process created the project since the
// lookup), the project is looked up again and returned. A project the
// server matches only loosely (another name) does not count as found.
// Errors match the sentinel errors ([ErrConflict], [ErrUnauthorized], ...)
// as the calls' errors do.
func (s *ProjectsService) Ensure(ctx context.Context, name string) (*Project, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("galileo: Projects.Ensure: empty project name")
	}
	return ensure(ctx, func(ctx context.Context) (*Project, error) {
		p, err := s.GetByName(ctx, name)
		if err == nil && p.ProjectName() != name {
			return nil, fmt.Errorf("galileo: project %q (the server's closest match is %q): %w", name, p.ProjectName(), ErrNotFound)
		}
		return p, err
	}, func(ctx context.Context) (*Project, error) {
		r, err := s.Create(ctx, name)
		if err != nil {
			return nil, err
		}
		p := &Project{ID: r.ID, Name: r.Name, Type: r.Type, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
		if r.CreatedBy != nil {
			p.CreatedBy = *r.CreatedBy
		}
		return p, nil
	}, nil)
}
