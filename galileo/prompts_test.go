package galileo

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestPromptsService_Get(t *testing.T) {
	f := newFakeAPI(t)
	tid, vid := newID(), newID()
	f.json("GET /templates/{template_id}", 200, fxTemplate(tid, "qa", vid))
	tm, err := f.client().Prompts.Get(t.Context(), tid)
	if err != nil {
		t.Fatal(err)
	}
	if tm.SelectedVersionID != vid || tm.SelectedVersion.Settings.ModelAlias != "template-model" {
		t.Errorf("got version %s model %q, want %s template-model", tm.SelectedVersionID, tm.SelectedVersion.Settings.ModelAlias, vid)
	}
	errorPathCases(t, "GET /templates/{template_id}", `{"id": []}`, func(ctx context.Context, c *Client) error {
		_, err := c.Prompts.Get(ctx, tid)
		return err
	})
}

func TestPromptsService_GetByName(t *testing.T) {
	f := newFakeAPI(t)
	tid := newID()
	var answer []PromptTemplate
	f.handle("POST /templates/query", func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); q.Get("limit") != "1" || q.Get("starting_token") != "0" {
			t.Errorf("query %q: want limit=1 and starting_token=0", r.URL.RawQuery)
		}
		body := decodeBody[ListParams](t, r)
		if len(body.Filters) != 1 || body.Filters[0].Name != "name" || body.Filters[0].Value != "qa" || !*body.Filters[0].CaseSensitive {
			t.Errorf("filters %+v: want name eq qa, case-sensitive", body.Filters)
		}
		serveJSON(w, 200, ListPromptTemplateResponse{Templates: answer})
	})
	c := f.client()
	answer = []PromptTemplate{fxTemplate(tid, "qa", newID())}
	if tm, err := c.Prompts.GetByName(t.Context(), "qa"); err != nil || tm.ID != tid {
		t.Fatalf("GetByName = %v, %v; want template %s", tm, err, tid)
	}
	answer = []PromptTemplate{}
	if _, err := c.Prompts.GetByName(t.Context(), "qa"); !errors.Is(err, ErrNotFound) {
		t.Errorf("error %v: want ErrNotFound", err)
	}
}

func TestPromptsService_GetVersion(t *testing.T) {
	f := newFakeAPI(t)
	tid, vid := newID(), newID()
	f.handle("GET /templates/{template_id}/versions/{version}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("version") != "2" {
			t.Errorf("version %q, want 2", r.PathValue("version"))
		}
		v := fxTemplate(tid, "qa", vid).SelectedVersion
		v.Version = 2
		serveJSON(w, 200, v)
	})
	v, err := f.client().Prompts.GetVersion(t.Context(), tid, 2)
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != vid || v.Version != 2 {
		t.Errorf("got version %s #%d, want %s #2", v.ID, v.Version, vid)
	}
}

func TestPromptsService_Create(t *testing.T) {
	f := newFakeAPI(t)
	tid, pid := newID(), newID()
	settings := DefaultPromptSettings()
	settings.ModelAlias = "echo"
	f.handle("POST /templates", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("project_id") != pid {
			t.Errorf("query %q: want project_id=%s", r.URL.RawQuery, pid)
		}
		body := decodeBody[CreatePromptTemplateRequest](t, r)
		if body.Name != "qa" || len(body.Template) != 2 || body.Template[1].Content != "{{input}}" {
			t.Errorf("body %+v: want name qa and two messages", body)
		}
		if body.Settings == nil || body.Settings.ModelAlias != "echo" {
			t.Errorf("settings %+v: want model_alias echo", body.Settings)
		}
		serveJSON(w, 200, fxTemplate(tid, "qa", newID()))
	})
	msgs := []Message{{Role: "system", Content: "Answer briefly."}, {Role: "user", Content: "{{input}}"}}
	tm, err := f.client().Prompts.Create(t.Context(), "qa", msgs, &settings, &PromptCreateOptions{ProjectID: pid})
	if err != nil {
		t.Fatal(err)
	}
	if tm.ID != tid {
		t.Errorf("got %s, want %s", tm.ID, tid)
	}
}

func TestPromptsService_Create_invalid(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client()
	if _, err := c.Prompts.Create(t.Context(), "qa", nil, nil, nil); err == nil || !strings.Contains(err.Error(), "no messages") {
		t.Errorf("error %v: want one saying there are no messages", err)
	}
	if _, err := c.Prompts.Create(t.Context(), "", []Message{{Role: "user", Content: "x"}}, nil, nil); err == nil {
		t.Error("an empty name was accepted")
	}
	if n := len(f.calls()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}
