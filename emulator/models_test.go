package emulator

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/galileo"
)

// A prompt run with a model alias the service does not offer is refused
// as the service refuses it; the service's aliases, the emulator's own
// models and registered ones run.
func TestPromptRun_modelAlias(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	f := seed(t, s, qaRows)
	if err := s.RegisterModel("my-model", func(context.Context, []galileo.Message, galileo.PromptRunSettings) (ModelOutput, error) {
		return ModelOutput{Text: "mine"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	path := "/projects/" + f.pid + "/experiments"
	create := func(name, alias string) response {
		return a.do("POST", path, map[string]any{"name": name, "task_type": 16, "trigger": true,
			"dataset":                    map[string]any{"dataset_id": f.did, "version_index": 0},
			"prompt_template_version_id": f.tvid, "prompt_settings": map[string]any{"model_alias": alias}}, invalidRequestHeader, "1")
	}
	for _, alias := range []string{"gpt-9-ultra", "GPT-4o-minni", "claude"} {
		r := create("bad "+alias, alias)
		if want := `"loc":["body","prompt_settings","model_alias"],"msg":"Model alias '` + alias + `' not found"`; r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), want) {
			t.Errorf("alias %q: status %d body %s, want 422 %s", alias, r.status, r.body, want)
		}
	}
	if n := len(s.Experiments(f.pid)); n != 0 {
		t.Errorf("%d experiments stored after refused runs, want 0", n)
	}
	for _, alias := range []string{"GPT-4o", "GPT-4o mini", "gpt-4o-mini-2024-07-18", "gpt-5.1", "Claude 3.5 Haiku",
		ModelEcho, ModelGroundTruth, ModelUpper, ModelError, "My-Model"} {
		if r := create("ok "+alias, alias); r.status != http.StatusOK {
			t.Errorf("alias %q: status %d body %s, want 200", alias, r.status, r.body)
		}
	}
	waitIdle(t, s)
}

func TestKnownModel(t *testing.T) {
	for alias, want := range map[string]bool{
		"GPT-4o": true, "openai/gpt-4o": true, "gpt-4.1-mini": true, "o4-mini": true, "claude-sonnet-4-20250514": true,
		"echo": true, "Ground-Truth": true, "": false, "gpt-4o-turbo-ultra": false, "llama-7": false,
	} {
		if got := KnownModel(alias); got != want {
			t.Errorf("KnownModel(%q) = %v, want %v", alias, got, want)
		}
	}
}

// The client from Server.Client links to the emulator, not to the hosted
// console.
func TestServer_Client_consoleURL(t *testing.T) {
	s := newTestServer(t)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	if c.ConsoleURL() != s.URL() {
		t.Errorf("ConsoleURL = %q, want the emulator's %q", c.ConsoleURL(), s.URL())
	}
	s2 := newTestServer(t, Options{ConsoleURL: "http://console.test"})
	c2, err := s2.Client()
	if err != nil {
		t.Fatal(err)
	}
	if c2.ConsoleURL() != "http://console.test" {
		t.Errorf("ConsoleURL = %q, want Options.ConsoleURL", c2.ConsoleURL())
	}
}
