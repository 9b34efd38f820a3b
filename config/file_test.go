package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/config"
)

func TestLoad_InvalidFile(t *testing.T) {
	const known = "(known keys: api_key, api_url, backend, console_url, extra_headers, keep, parallel, project, project_id, report)"
	tests := []struct {
		name    string
		file    string
		want    string
		notWant string
	}{
		{"unknown key", "project: p\nprojct: x\n",
			`galileo.yaml:2: unknown key "projct" ` + known, ""},
		{"CI is not a file key", "ci: true\n",
			`galileo.yaml:1: unknown key "ci" ` + known, ""},
		{"jwt is not a file key", "jwt_token: hunter2\n",
			`galileo.yaml:1: unknown key "jwt_token" ` + known, "hunter2"},
		{"duplicate key", "backend: remote\nkeep: true\nbackend: emulator\n",
			`galileo.yaml:3: duplicate key "backend" (first at line 1)`, ""},
		{"backend", "\nbackend: foo\n",
			`galileo.yaml:2: backend: "foo" is not one of auto, remote, emulator`, ""},
		{"keep not boolean", "keep: maybe\n",
			`galileo.yaml:1: keep: "maybe" is not a boolean (expected true or false, 1 or 0, yes or no, on or off)`, ""},
		{"parallel not a number", "parallel: many\n",
			`galileo.yaml:1: parallel: "many" is not a positive whole number of experiments to run at once`, ""},
		{"parallel zero", "parallel: 0\n",
			`galileo.yaml:1: parallel: "0" is not a positive whole number of experiments to run at once`, ""},
		{"keep sequence", "keep: [true]\n",
			`galileo.yaml:1: keep: expected a boolean, got a sequence`, ""},
		{"project mapping", "project:\n  name: x\n",
			`galileo.yaml:1: project: expected a string, got a mapping`, ""},
		{"api key sequence", "api_key: [hunter2]\n",
			`galileo.yaml:1: api_key: expected a string, got a sequence`, "hunter2"},
		{"console url", "console_url: ftp://x\n",
			`galileo.yaml:1: console_url: "ftp://x" has scheme "ftp" (expected an http or https URL such as https://console.example.com)`, ""},
		{"extra headers not a mapping", "extra_headers: '{\"X-A\": \"1\"}'\n",
			`galileo.yaml:1: extra_headers: expected a mapping of header names to string values, got a scalar`, ""},
		{"extra header value not a string", "extra_headers:\n  X-A: 1\n  Authorization: [hunter2]\n",
			`galileo.yaml:3: extra_headers: header "Authorization": expected a string value, got a sequence`, "hunter2"},
		{"extra header null", "extra_headers:\n  X-A:\n",
			`galileo.yaml:2: extra_headers: header "X-A": expected a string value, got null`, ""},
		{"extra header name", "extra_headers:\n  X-A: 1\n  X B: 2\n",
			`galileo.yaml:3: extra_headers: header name "X B" is not a valid HTTP header name`, ""},
		{"top level sequence", "- project: x\n",
			`galileo.yaml:1: expected a mapping of settings (api_key, api_url, backend, console_url, extra_headers, keep, parallel, project, project_id, report), got a sequence`, ""},
		{"syntax error with line", "project: x\nkeep: [true,\n",
			`galileo.yaml:2: invalid YAML: did not find expected node content`, ""},
		{"syntax error with line at the end", "project: 'x\n",
			`galileo.yaml:2: invalid YAML: found unexpected end of stream`, ""},
		{"syntax error without line", "project: a: b\n",
			`galileo.yaml: invalid YAML: mapping values are not allowed in this context`, ""},
		{"two documents", "project: x\n---\nproject: y\n",
			`galileo.yaml:2: a config file holds one YAML document, found a second`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(env(nil), file(tt.file))
			checkLoadError(t, c, err, tt.want, tt.notWant)
		})
	}
}

func TestLoad_FileReportsEveryProblem(t *testing.T) {
	_, err := config.Load(env(nil), file("projct: x\nbackend: foo\nkeep: maybe\n"))
	if err == nil {
		t.Fatal("Load succeeded, want three errors")
	}
	var lines []string
	for _, line := range strings.Split(err.Error(), "\n") {
		lines = append(lines, strings.SplitN(line, " ", 2)[0])
	}
	want := "galileo.yaml:1: galileo.yaml:2: galileo.yaml:3:"
	if got := strings.Join(lines, " "); got != want {
		t.Errorf("error positions = %q, want %q; error:\n%s", got, want, err)
	}
}

func TestLoad_FileAndEnvErrorsTogether(t *testing.T) {
	_, err := config.Load(env(map[string]string{"GALILEOTEST_KEEP": "maybe"}), file("backend: foo\n"))
	if err == nil {
		t.Fatal("Load succeeded, want errors")
	}
	for _, want := range []string{"galileo.yaml:1: backend: ", "GALILEOTEST_KEEP: "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestWithFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "galileo.yaml")
	if err := os.WriteFile(path, []byte("project: on-disk\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(env(nil), config.WithFile(path))
	if err != nil {
		t.Fatal(err)
	}
	if c.Project != "on-disk" {
		t.Errorf("Project = %q, want %q", c.Project, "on-disk")
	}

	missing := filepath.Join(dir, "missing.yaml")
	_, err = config.Load(env(nil), config.WithFile(missing))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not match fs.ErrNotExist", err)
	}
	if want := missing + ": cannot read config file: no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}

func TestWithFS_LastFileOptionWins(t *testing.T) {
	c, err := config.Load(env(nil), config.WithFile("does-not-exist.yaml"), file("project: from-fs\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Project != "from-fs" {
		t.Errorf("Project = %q, want %q", c.Project, "from-fs")
	}
}

func FuzzLoad_File(f *testing.F) {
	for _, s := range []string{
		"project: p\nbackend: remote\nkeep: true\n",
		"extra_headers: {X-A: b, Authorization: c}\n",
		"console_url: console.acme.galileo.ai\napi_url: http://127.0.0.1:1\n",
		"- a\n", "a: &x [1]\nb: *x\n", "---\n---\n", "keep: [",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		c, err := config.Load(env(nil), file(content))
		if err != nil {
			return
		}
		if _, err := config.ParseBackend(string(c.Backend)); err != nil || c.Backend == "" {
			t.Errorf("Load accepted %q with backend %q", content, c.Backend)
		}
		if c.ConsoleURL == "" || c.APIURL == "" {
			t.Errorf("Load accepted %q with empty URLs: %v", content, c)
		}
	})
}
