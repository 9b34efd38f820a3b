package galileo

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// errorPathCases runs call against a route answering 404, 422 and a body
// of the wrong shape, and checks the error a user would inspect.
func errorPathCases(t *testing.T, pattern string, wrongShape string, call func(ctx context.Context, c *Client) error) {
	t.Helper()
	cases := []struct {
		name  string
		serve http.HandlerFunc
		check func(t *testing.T, err error)
	}{
		{"404", notFound, func(t *testing.T, err error) {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("error %v: want one matching ErrNotFound", err)
			}
		}},
		{"422", unprocessable, func(t *testing.T, err error) {
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != http.StatusUnprocessableEntity {
				t.Fatalf("error %v: want an *APIError with status 422", err)
			}
			if !strings.Contains(err.Error(), "body.name: field required") {
				t.Errorf("error %q does not carry the validation message", err)
			}
			if errors.Is(err, ErrNotFound) {
				t.Errorf("a 422 matches ErrNotFound")
			}
		}},
		{"wrong shape", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(wrongShape))
		}, func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "decoding") {
				t.Errorf("error %v: want a decoding error", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.allowMalformedAnswers()
			f.handle(pattern, tc.serve)
			err := call(t.Context(), f.client())
			if err == nil {
				t.Fatal("no error")
			}
			tc.check(t, err)
		})
	}
}

func TestProjectsService_Get(t *testing.T) {
	f := newFakeAPI(t)
	pid := newID()
	f.json("GET /projects/{project_id}", 200, fxProject(pid, "acme"))
	p, err := f.client().Projects.Get(t.Context(), pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != pid || p.ProjectName() != "acme" {
		t.Errorf("got project %s %q, want %s %q", p.ID, p.ProjectName(), pid, "acme")
	}
	errorPathCases(t, "GET /projects/{project_id}", `{"id": 5}`, func(ctx context.Context, c *Client) error {
		_, err := c.Projects.Get(ctx, pid)
		return err
	})
}

func TestProjectsService_GetByName(t *testing.T) {
	a, b := newID(), newID()
	tests := []struct {
		name    string
		answer  []Project
		wantID  string
		wantErr error
	}{
		{"exact match preferred", []Project{fxProject(a, "acme-2"), fxProject(b, "acme")}, b, nil},
		{"server's first match", []Project{fxProject(a, "ACME")}, a, nil},
		{"none", []Project{}, "", ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.handle("GET /projects", func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query(); got.Get("project_name") != "acme" || got.Get("type") != "gen_ai" {
					t.Errorf("query %v: want project_name=acme and type=gen_ai", got)
				}
				serveJSON(w, 200, tc.answer)
			})
			p, err := f.client().Projects.GetByName(t.Context(), "acme")
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v: want %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), `"acme"`) {
					t.Errorf("error %q does not name the project", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.ID != tc.wantID {
				t.Errorf("got project %s, want %s", p.ID, tc.wantID)
			}
		})
	}
}

func TestProjectsService_List(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /projects/all", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("type") != "gen_ai" {
			t.Errorf("query %q: want type=gen_ai", r.URL.RawQuery)
		}
		serveJSON(w, 200, []Project{fxProject(newID(), "a"), fxProject(newID(), "b")})
	})
	ps, err := f.client().Projects.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[1].ProjectName() != "b" {
		t.Errorf("got %d projects, want a and b", len(ps))
	}
}

func TestProjectsService_Create(t *testing.T) {
	f := newFakeAPI(t)
	pid := newID()
	f.handle("POST /projects", func(w http.ResponseWriter, r *http.Request) {
		body := rawBody(t, r)
		if body["name"] != "acme" || body["type"] != "gen_ai" || body["create_example_templates"] != false {
			t.Errorf("body %v: want name acme, type gen_ai, create_example_templates false", body)
		}
		serveJSON(w, 200, ProjectCreateResponse{ID: pid, Name: ptr("acme"), Type: ptr("gen_ai"), CreatedAt: fxTime, UpdatedAt: fxTime})
	})
	p, err := f.client().Projects.Create(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != pid {
		t.Errorf("got id %s, want %s", p.ID, pid)
	}
}

// A create whose answer is lost (502) is looked up by name, not repeated.
func TestProjectsService_Create_ambiguousFailure(t *testing.T) {
	f := newFakeAPI(t)
	pid := newID()
	f.handle("POST /projects", func(w http.ResponseWriter, r *http.Request) {
		serveJSON(w, http.StatusBadGateway, map[string]string{"detail": "upstream timeout"})
	})
	f.json("GET /projects", 200, []Project{fxProject(pid, "acme")})
	p, err := f.client(WithRetry(3, 0, 0)).Projects.Create(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != pid {
		t.Errorf("got id %s, want the looked-up project %s", p.ID, pid)
	}
	if n := f.count("POST /projects"); n != 1 {
		t.Errorf("POST /projects sent %d times, want 1", n)
	}
}

// After a lost answer, a project whose name only resembles the one asked
// for (the server matches loosely) is not taken for the created one: the
// create is sent again.
func TestProjectsService_Create_ambiguousFailureLooseMatch(t *testing.T) {
	f := newFakeAPI(t)
	other, mine := newID(), newID()
	posts := 0
	f.handle("POST /projects", func(w http.ResponseWriter, r *http.Request) {
		posts++
		if posts == 1 {
			serveJSON(w, http.StatusBadGateway, map[string]string{"detail": "upstream timeout"})
			return
		}
		p := fxProject(mine, "acme")
		serveJSON(w, 200, ProjectCreateResponse{ID: p.ID, Name: p.Name, Type: p.Type, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt})
	})
	f.json("GET /projects", 200, []Project{fxProject(other, "acme-legacy")})
	p, err := f.client(WithRetry(3, 0, 0)).Projects.Create(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != mine {
		t.Errorf("got id %s, want the created project %s, not the loosely matching %s", p.ID, mine, other)
	}
	if posts != 2 {
		t.Errorf("POST /projects sent %d times, want 2", posts)
	}
}

func TestProjectsService_Delete(t *testing.T) {
	f := newFakeAPI(t)
	pid := newID()
	f.json("DELETE /projects/{project_id}", 200, ProjectDeleteResponse{Message: "deleted"})
	if err := f.client().Projects.Delete(t.Context(), pid); err != nil {
		t.Fatal(err)
	}
	if got := f.calls(); len(got) != 1 || got[0] != "DELETE /projects/"+pid {
		t.Errorf("calls %v: want one DELETE /projects/%s", got, pid)
	}
}

func TestProjectsService_Resolve(t *testing.T) {
	byID, byName := newID(), newID()
	tests := []struct {
		name      string
		id, pname string
		want      string
		wantErr   string
	}{
		{"id wins over name", byID, "acme", byID, ""},
		{"name", "", "acme", byName, ""},
		{"whitespace id counts as unset", "  ", "acme", byName, ""},
		{"nothing", " ", "", "", "no project given"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.json("GET /projects/{project_id}", 200, fxProject(byID, "by-id"))
			f.json("GET /projects", 200, []Project{fxProject(byName, "acme")})
			p, err := f.client().Projects.Resolve(t.Context(), tc.id, tc.pname)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v: want one containing %q", err, tc.wantErr)
				}
				if n := len(f.calls()); n != 0 {
					t.Errorf("%d requests sent, want none", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.ID != tc.want {
				t.Errorf("resolved %s, want %s", p.ID, tc.want)
			}
		})
	}
}

func TestProjectsService_emptyArguments(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client()
	ctx := t.Context()
	for name, call := range map[string]func() error{
		"Get":       func() error { _, err := c.Projects.Get(ctx, ""); return err },
		"GetByName": func() error { _, err := c.Projects.GetByName(ctx, " "); return err },
		"Create":    func() error { _, err := c.Projects.Create(ctx, ""); return err },
		"Delete":    func() error { return c.Projects.Delete(ctx, "") },
	} {
		if err := call(); err == nil || !strings.Contains(err.Error(), "empty") {
			t.Errorf("%s: error %v: want one saying the argument is empty", name, err)
		}
	}
	if n := len(f.calls()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// Ensure does not take a project the server matches only loosely for the
// one asked for; a 409 whose project cannot be found again stays a
// conflict.
func TestProjectsService_Ensure_edges(t *testing.T) {
	t.Run("loose match: created", func(t *testing.T) {
		f := newFakeAPI(t)
		mine, user := newID(), newID()
		f.json("GET /projects", 200, []Project{fxProject(newID(), "acme-2")})
		f.json("POST /projects", 200, ProjectCreateResponse{ID: mine, Name: ptr("acme"), Type: ptr("gen_ai"), CreatedBy: &user, CreatedAt: fxTime, UpdatedAt: fxTime})
		p, err := f.client().Projects.Ensure(t.Context(), "acme")
		if err != nil || p.ID != mine || p.ProjectName() != "acme" || p.CreatedBy != user {
			t.Fatalf("Ensure = %+v, %v; want the created project %s", p, err, mine)
		}
	})
	t.Run("conflict, then nothing found", func(t *testing.T) {
		f := newFakeAPI(t)
		f.json("GET /projects", 200, []Project{})
		f.json("POST /projects", http.StatusConflict, map[string]string{"detail": "Project with name acme already exists"})
		_, err := f.client().Projects.Ensure(t.Context(), "acme")
		if !errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "looking it up again found nothing") {
			t.Fatalf("Ensure = %v; want a conflict that says the lookup found nothing", err)
		}
		if n := f.count("GET /projects"); n != 2 {
			t.Errorf("%d lookups, want 2", n)
		}
	})
}
