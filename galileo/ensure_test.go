package galileo_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/galileo"
)

// ensureWorld is an emulator whose middleware counts the requests to one
// route and can let a rival (another process) create the same resource
// just before the first of them is served, as in a lost race.
type ensureWorld struct {
	srv   *emulator.Server
	c     *galileo.Client
	calls atomic.Int32 // requests to the route
	rival func(srv *emulator.Server) error
}

// newEnsureWorld starts the emulator; route is "METHOD /path".
func newEnsureWorld(t *testing.T, route string) *ensureWorld {
	t.Helper()
	w := &ensureWorld{}
	var srv atomic.Pointer[emulator.Server]
	var once sync.Once
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if r.Method+" "+r.URL.Path == route {
				w.calls.Add(1)
				if w.rival != nil {
					once.Do(func() {
						if err := w.rival(srv.Load()); err != nil {
							t.Errorf("rival: %v", err)
						}
					})
				}
			}
			next.ServeHTTP(rw, r)
		})
	}
	w.srv = emulator.NewTest(t, emulator.Options{Middleware: mw, Seed: 1})
	srv.Store(w.srv)
	c, err := w.srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	w.c = c
	return w
}

func TestProjectsService_Ensure(t *testing.T) {
	t.Run("missing: created once", func(t *testing.T) {
		w := newEnsureWorld(t, "POST /projects")
		p, err := w.c.Projects.Ensure(t.Context(), "acme")
		if err != nil {
			t.Fatal(err)
		}
		again, err := w.c.Projects.Ensure(t.Context(), "acme")
		if err != nil {
			t.Fatal(err)
		}
		if p.ID == "" || again.ID != p.ID || again.ProjectName() != "acme" || w.calls.Load() != 1 {
			t.Errorf("Ensure twice: %s then %s (%q), %d creates; want one project acme created once", p.ID, again.ID, again.ProjectName(), w.calls.Load())
		}
	})
	t.Run("existing: found", func(t *testing.T) {
		w := newEnsureWorld(t, "POST /projects")
		want, err := w.srv.CreateProject("acme")
		if err != nil {
			t.Fatal(err)
		}
		p, err := w.c.Projects.Ensure(t.Context(), "acme")
		if err != nil || p.ID != want.ID || w.calls.Load() != 0 {
			t.Errorf("Ensure = %v, %v after %d creates; want %s and no create", p, err, w.calls.Load(), want.ID)
		}
	})
	t.Run("created by a rival meanwhile", func(t *testing.T) {
		w := newEnsureWorld(t, "POST /projects")
		var rival galileo.Project
		w.rival = func(srv *emulator.Server) (err error) {
			rival, err = srv.CreateProject("acme")
			return err
		}
		p, err := w.c.Projects.Ensure(t.Context(), "acme")
		if err != nil || p.ID != rival.ID {
			t.Errorf("Ensure = %v, %v; want the rival's project %s", p, err, rival.ID)
		}
	})
	t.Run("concurrent callers share one project", func(t *testing.T) {
		w := newEnsureWorld(t, "POST /projects")
		const n = 8
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				p, err := w.c.Projects.Ensure(t.Context(), "shared")
				if err != nil {
					t.Errorf("Ensure: %v", err)
					return
				}
				ids[i] = p.ID
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("Ensure gave projects %v; want one", ids)
			}
		}
		if ps, err := w.c.Projects.List(t.Context()); err != nil || len(ps) != 1 {
			t.Errorf("List = %d projects, %v; want 1", len(ps), err)
		}
	})
	t.Run("blank name", func(t *testing.T) {
		w := newEnsureWorld(t, "POST /projects")
		if _, err := w.c.Projects.Ensure(t.Context(), " "); err == nil || !strings.Contains(err.Error(), "empty project name") {
			t.Errorf("Ensure(blank) = %v; want an empty-name error", err)
		}
	})
}

func qaRows(n int) []map[string]any {
	rows := make([]map[string]any, n)
	for i := range rows {
		rows[i] = map[string]any{"input": "question " + string(rune('a'+i)), "output": "answer"}
	}
	return rows
}

func TestDatasetsService_Ensure(t *testing.T) {
	t.Run("missing: uploaded once", func(t *testing.T) {
		w := newEnsureWorld(t, "POST /datasets")
		d, err := w.c.Datasets.Ensure(t.Context(), "qa", qaRows(2), nil)
		if err != nil {
			t.Fatal(err)
		}
		again, err := w.c.Datasets.Ensure(t.Context(), "qa", qaRows(2), nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != d.ID || d.NumRows == nil || *d.NumRows != 2 || w.calls.Load() != 1 {
			t.Errorf("Ensure twice: %s then %s (rows %v), %d uploads; want one dataset of 2 rows uploaded once", d.ID, again.ID, d.NumRows, w.calls.Load())
		}
	})
	t.Run("other row count", func(t *testing.T) {
		w := newEnsureWorld(t, "POST /datasets")
		if _, err := w.srv.CreateDataset("", "qa", qaRows(2)); err != nil {
			t.Fatal(err)
		}
		_, err := w.c.Datasets.Ensure(t.Context(), "qa", qaRows(3), nil)
		if !errors.Is(err, galileo.ErrConflict) || !strings.Contains(err.Error(), `dataset "qa"`) || !strings.Contains(err.Error(), "2 rows, expected 3") {
			t.Errorf("Ensure with 3 rows over 2 = %v; want an ErrConflict naming both counts", err)
		}
		if w.calls.Load() != 0 {
			t.Errorf("%d uploads; want none", w.calls.Load())
		}
	})
	t.Run("uploaded by a rival meanwhile", func(t *testing.T) {
		w := newEnsureWorld(t, "POST /datasets")
		var rival galileo.Dataset
		w.rival = func(srv *emulator.Server) (err error) {
			rival, err = srv.CreateDataset("", "qa", qaRows(2))
			return err
		}
		d, err := w.c.Datasets.Ensure(t.Context(), "qa", qaRows(2), nil)
		if err != nil || d.ID != rival.ID {
			t.Errorf("Ensure = %v, %v; want the rival's dataset %s", d, err, rival.ID)
		}
	})
	t.Run("a rival's dataset of another size", func(t *testing.T) {
		w := newEnsureWorld(t, "POST /datasets")
		w.rival = func(srv *emulator.Server) error {
			_, err := srv.CreateDataset("", "qa", qaRows(1))
			return err
		}
		_, err := w.c.Datasets.Ensure(t.Context(), "qa", qaRows(2), nil)
		if !errors.Is(err, galileo.ErrConflict) || !strings.Contains(err.Error(), "1 row, expected 2") {
			t.Errorf("Ensure = %v; want an ErrConflict naming both counts", err)
		}
	})
}

func TestPromptsService_Ensure(t *testing.T) {
	msgs := []galileo.Message{{Role: "user", Content: "Answer: {{input}}"}}
	t.Run("missing: created once", func(t *testing.T) {
		w := newEnsureWorld(t, "POST /templates")
		tm, err := w.c.Prompts.Ensure(t.Context(), "qa-prompt", msgs, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		again, err := w.c.Prompts.Ensure(t.Context(), "qa-prompt", msgs, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != tm.ID || tm.SelectedVersionID == "" || again.SelectedVersionID != tm.SelectedVersionID || w.calls.Load() != 1 {
			t.Errorf("Ensure twice: %+v then %+v, %d creates; want one template created once", tm, again, w.calls.Load())
		}
	})
	t.Run("created by a rival meanwhile", func(t *testing.T) {
		w := newEnsureWorld(t, "POST /templates")
		var rival galileo.PromptTemplate
		w.rival = func(srv *emulator.Server) (err error) {
			rival, err = srv.CreatePromptTemplate("", "qa-prompt", msgs, nil)
			return err
		}
		tm, err := w.c.Prompts.Ensure(t.Context(), "qa-prompt", msgs, nil, nil)
		if err != nil || tm.ID != rival.ID {
			t.Errorf("Ensure = %v, %v; want the rival's template %s", tm, err, rival.ID)
		}
	})
}

func TestPromptsService_ResolveVersion(t *testing.T) {
	w := newEnsureWorld(t, "POST /templates")
	tm, err := w.srv.CreatePromptTemplate("", "qa-prompt", []galileo.Message{{Role: "user", Content: "{{input}}"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.c.Prompts.ResolveVersion(t.Context(), "qa-prompt", nil)
	if err != nil || v.ID != tm.SelectedVersionID {
		t.Fatalf("ResolveVersion(nil) = %+v, %v; want the selected version %s", v, err, tm.SelectedVersionID)
	}
	n := tm.SelectedVersion.Version
	if v, err := w.c.Prompts.ResolveVersion(t.Context(), "qa-prompt", &n); err != nil || v.ID != tm.SelectedVersionID || v.Version != n {
		t.Errorf("ResolveVersion(%d) = %+v, %v; want version %d, %s", n, v, err, n, tm.SelectedVersionID)
	}

	seven := 7
	_, err = w.c.Prompts.ResolveVersion(t.Context(), "qa-prompt", &seven)
	var ue *galileo.UnknownPromptVersionError
	if !errors.Is(err, galileo.ErrNotFound) || !errors.As(err, &ue) || ue.Version != 7 || ue.TemplateID != tm.ID {
		t.Fatalf("ResolveVersion(7) = %v; want an *UnknownPromptVersionError matching ErrNotFound", err)
	}
	if want := `galileo: prompt template "qa-prompt" has no version 7 (versions: 0)`; err.Error() != want {
		t.Errorf("error text\n%s\nwant\n%s", err, want)
	}
	var ae *galileo.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		t.Errorf("error %v does not unwrap to the API's 404", err)
	}

	_, err = w.c.Prompts.ResolveVersion(t.Context(), "nope", nil)
	if !errors.Is(err, galileo.ErrNotFound) || !strings.Contains(err.Error(), `prompt template "nope"`) || errors.As(err, &ue) {
		t.Errorf("ResolveVersion(unknown template) = %v; want ErrNotFound naming the template", err)
	}
}
