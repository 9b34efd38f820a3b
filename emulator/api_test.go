package emulator

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/galileo"
)

// TestServer_DirectAPIMatchesRoutes checks that the direct Go API and the
// routes share one rule: whichever path created a resource, the other sees
// the same name as taken, with the same error.
func TestServer_DirectAPIMatchesRoutes(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	msgs := []galileo.Message{{Role: "user", Content: "{{input}}"}}

	// Created over HTTP, refused directly (and the other way round).
	pid := a.ok(http.StatusOK, "POST", "/projects", map[string]any{"name": "p"}).json(t)["id"].(string)
	a.ok(http.StatusOK, "POST", "/templates", map[string]any{"name": "t", "template": "{{input}}"})
	if r := a.upload("jsonl", "d", "", []byte(`{"input":"a"}`+"\n")); r.status != http.StatusOK {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	direct := []struct {
		what string
		err  error
		want string
	}{
		{"project", second(s.CreateProject(" p ")), "Project with name p already exists"},
		{"template", second(s.CreatePromptTemplate("", "t", msgs, nil)), "Prompt template with name t already exists"},
		{"dataset", second(s.CreateDataset("", "d ", nil)), "Dataset with name d already exists"},
		{"blank project", second(s.CreateProject(" ")), "String should have at least 1 character"},
		{"template in an unknown project", second(s.CreatePromptTemplate("nope", "t2", msgs, nil)), "Project nope not found"},
		{"dataset in an unknown project", second(s.CreateDataset("nope", "d2", nil)), "Project nope not found"},
	}
	for _, tc := range direct {
		var ae *apiError
		if tc.err == nil || !errors.As(tc.err, &ae) || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("direct %s: error %v, want an API error with %q", tc.what, tc.err, tc.want)
		}
	}

	if _, err := s.CreateProject("q"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDataset(pid, "e", []map[string]any{{"input": "a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePromptTemplate(pid, "u", msgs, nil); err != nil {
		t.Fatal(err)
	}
	if r := a.do("POST", "/projects", map[string]any{"name": "q"}); r.status != http.StatusConflict {
		t.Errorf("POST /projects of a directly created name: %d %s", r.status, r.body)
	}
	if r := a.do("POST", "/templates", map[string]any{"name": "u", "template": "x"}); r.status != http.StatusConflict {
		t.Errorf("POST /templates of a directly created name: %d %s", r.status, r.body)
	}
	if r := a.upload("jsonl", "e", "", []byte(`{"input":"a"}`+"\n")); r.status != http.StatusConflict {
		t.Errorf("upload of a directly created name: %d %s", r.status, r.body)
	}
	// Both paths store templates in the same shape.
	var viaHTTP, viaGo galileo.PromptTemplate
	a.ok(http.StatusOK, "POST", "/templates", map[string]any{"name": "h", "template": msgs}).decode(t, &viaHTTP)
	viaGo, err := s.CreatePromptTemplate("", "g", msgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if viaHTTP.Template != viaGo.Template || !reflect.DeepEqual(viaHTTP.SelectedVersion.Settings, viaGo.SelectedVersion.Settings) {
		t.Errorf("template over HTTP %q %+v, directly %q %+v", viaHTTP.Template, viaHTTP.SelectedVersion.Settings, viaGo.Template, viaGo.SelectedVersion.Settings)
	}
}

func second[T any](_ T, err error) error { return err }
