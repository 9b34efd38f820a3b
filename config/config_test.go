package config_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/galileo-community/galileo-go/config"
)

// env returns an Option that reads the environment from m only.
func env(m map[string]string) config.Option {
	return config.WithLookup(func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	})
}

// file returns an Option that reads galileo.yaml with the given content.
func file(content string) config.Option {
	return config.WithFS(fstest.MapFS{"galileo.yaml": {Data: []byte(content)}}, "galileo.yaml")
}

// defaults is what Load returns with nothing configured.
func defaults() config.Config {
	return config.Config{
		ConsoleURL: "https://app.galileo.ai/",
		APIURL:     "https://api.galileo.ai/",
		Backend:    config.BackendAuto,
	}
}

func TestLoad_Precedence(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		file string
		over func(*config.Config)
		want func(*config.Config)
	}{
		{
			name: "nothing configured gives defaults",
			want: func(*config.Config) {},
		},
		{
			name: "every environment variable",
			env: map[string]string{
				"GALILEO_API_KEY":       "k1",
				"GALILEO_JWT_TOKEN":     "j1",
				"GALILEO_CONSOLE_URL":   "https://console.acme.galileo.ai",
				"GALILEO_API_URL":       "https://gw.acme.example/galileo",
				"GALILEO_PROJECT":       "support",
				"GALILEO_PROJECT_ID":    "2b9c1c1e-0f4a-4d8e-9a53-6a1f3b0c7d21",
				"GALILEO_EXTRA_HEADERS": `{"X-Team":"qa"}`,
				"GALILEOTEST_BACKEND":   "Emulator",
				"GALILEOTEST_KEEP":      "yes",
				"GALILEOTEST_REPORT":    "out/report.json",
				"CI":                    "true",
			},
			want: func(c *config.Config) {
				c.APIKey, c.JWT = "k1", "j1"
				c.ConsoleURL = "https://console.acme.galileo.ai"
				c.APIURL = "https://gw.acme.example/galileo"
				c.Project, c.ProjectID = "support", "2b9c1c1e-0f4a-4d8e-9a53-6a1f3b0c7d21"
				c.ExtraHeaders = map[string]string{"X-Team": "qa"}
				c.Backend = config.BackendEmulator
				c.Keep = true
				c.ReportPath = "out/report.json"
				c.CI = true
			},
		},
		{
			name: "every file key",
			file: `api_key: fk
console_url: console.acme.galileo.ai
api_url: https://api.other.example
project: from-file
project_id: pid-file
extra_headers:
  X-Team: qa
  X-Count: 3
backend: remote
keep: true
report: r.json
`,
			want: func(c *config.Config) {
				c.APIKey = "fk"
				c.ConsoleURL = "https://console.acme.galileo.ai"
				c.APIURL = "https://api.other.example"
				c.Project, c.ProjectID = "from-file", "pid-file"
				c.ExtraHeaders = map[string]string{"X-Team": "qa", "X-Count": "3"}
				c.Backend = config.BackendRemote
				c.Keep = true
				c.ReportPath = "r.json"
			},
		},
		{
			name: "environment beats file",
			env:  map[string]string{"GALILEO_PROJECT": "from-env", "GALILEOTEST_KEEP": "0", "GALILEOTEST_BACKEND": "emulator"},
			file: "project: from-file\nkeep: true\nbackend: remote\nreport: r.json\n",
			want: func(c *config.Config) {
				c.Project = "from-env"
				c.Keep = false
				c.Backend = config.BackendEmulator
				c.ReportPath = "r.json"
			},
		},
		{
			name: "override beats environment and file",
			env:  map[string]string{"GALILEO_PROJECT": "from-env", "GALILEOTEST_BACKEND": "remote", "GALILEOTEST_KEEP": "1"},
			file: "project: from-file\n",
			over: func(c *config.Config) {
				c.Project = "from-go"
				c.Backend = config.BackendEmulator
				c.Keep = false
			},
			want: func(c *config.Config) {
				c.Project = "from-go"
				c.Backend = config.BackendEmulator
			},
		},
		{
			name: "override sees merged values",
			env:  map[string]string{"GALILEO_PROJECT": "from-env"},
			over: func(c *config.Config) { c.Project += "-suffix" },
			want: func(c *config.Config) { c.Project = "from-env-suffix" },
		},
		{
			name: "whitespace-only environment value does not hide the file",
			env:  map[string]string{"GALILEO_PROJECT": "  \t ", "GALILEO_API_KEY": " ", "GALILEOTEST_BACKEND": " "},
			file: "project: from-file\nbackend: emulator\n",
			want: func(c *config.Config) {
				c.Project = "from-file"
				c.Backend = config.BackendEmulator
			},
		},
		{
			name: "empty file value counts as unset",
			file: "project: ''\nbackend:\nconsole_url: '  '\n",
			want: func(*config.Config) {},
		},
		{
			name: "values are trimmed",
			env:  map[string]string{"GALILEO_PROJECT": "  support \n", "GALILEO_API_KEY": "k1\n"},
			over: func(c *config.Config) { c.ProjectID = " pid " },
			want: func(c *config.Config) {
				c.Project, c.APIKey, c.ProjectID = "support", "k1", "pid"
			},
		},
		{
			name: "API URL derived from environment console URL",
			env:  map[string]string{"GALILEO_CONSOLE_URL": "https://console.acme.galileo.ai/"},
			want: func(c *config.Config) {
				c.ConsoleURL = "https://console.acme.galileo.ai/"
				c.APIURL = "https://api.acme.galileo.ai/"
			},
		},
		{
			name: "API URL derived from overridden console URL",
			env:  map[string]string{"GALILEO_CONSOLE_URL": "https://console.one.example"},
			over: func(c *config.Config) { c.ConsoleURL = "http://127.0.0.1:3000" },
			want: func(c *config.Config) {
				c.ConsoleURL = "http://127.0.0.1:3000"
				c.APIURL = "http://localhost:8088"
			},
		},
		{
			name: "explicit API URL in file wins over derivation from environment console URL",
			env:  map[string]string{"GALILEO_CONSOLE_URL": "https://console.acme.galileo.ai"},
			file: "api_url: https://api.pinned.example\n",
			want: func(c *config.Config) {
				c.ConsoleURL = "https://console.acme.galileo.ai"
				c.APIURL = "https://api.pinned.example"
			},
		},
		{
			name: "API URL without scheme gets https",
			env:  map[string]string{"GALILEO_API_URL": "api.acme.example:8443"},
			want: func(c *config.Config) {
				c.APIURL = "https://api.acme.example:8443"
				c.ConsoleURL = "https://console.acme.example:8443" // derived from the API URL
			},
		},
		{
			name: "extra headers are replaced, not merged",
			env:  map[string]string{"GALILEO_EXTRA_HEADERS": `{"X-Env":"e"}`},
			file: "extra_headers: {X-File: f}\n",
			want: func(c *config.Config) { c.ExtraHeaders = map[string]string{"X-Env": "e"} },
		},
		{
			name: "empty file mapping clears nothing and sets nothing",
			file: "# comments only\n",
			want: func(*config.Config) {},
		},
		{
			name: "file with a null document",
			file: "~\n",
			want: func(*config.Config) {},
		},
		{
			name: "YAML anchors are resolved",
			file: "project: &p shared\nproject_id: *p\n",
			want: func(c *config.Config) { c.Project, c.ProjectID = "shared", "shared" },
		},
		{
			name: "CI variable",
			env:  map[string]string{"CI": "1"},
			want: func(c *config.Config) { c.CI = true },
		},
		{
			name: "CI=false is not CI",
			env:  map[string]string{"CI": "FALSE"},
			want: func(*config.Config) {},
		},
		{
			name: "CI=0 is not CI",
			env:  map[string]string{"CI": "0"},
			want: func(*config.Config) {},
		},
		{
			name: "override can set CI",
			over: func(c *config.Config) { c.CI = true },
			want: func(c *config.Config) { c.CI = true },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []config.Option{env(tt.env)}
			if tt.file != "" {
				opts = append(opts, file(tt.file))
			}
			if tt.over != nil {
				opts = append(opts, config.WithOverride(tt.over))
			}
			got, err := config.Load(opts...)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := defaults()
			tt.want(&want)
			if !reflect.DeepEqual(*got, want) {
				// Secrets here are test values, so print the raw fields.
				t.Errorf("Load:\n got %#v\nwant %#v", plain(*got), plain(want))
			}
		})
	}
}

// plain strips Config's redacting methods so that test failures show every field.
func plain(c config.Config) any {
	type raw config.Config
	return raw(c)
}

func TestLoad_OverridesRunInOrder(t *testing.T) {
	got, err := config.Load(env(nil),
		config.WithOverride(func(c *config.Config) { c.Project = "first" }),
		config.WithOverride(func(c *config.Config) { c.Project += "+second" }),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got.Project != "first+second" {
		t.Errorf("Project = %q, want %q", got.Project, "first+second")
	}
}

func TestLoad_OverrideEditsHeadersInPlace(t *testing.T) {
	lookup := env(map[string]string{"GALILEO_EXTRA_HEADERS": `{"X-A":"1"}`})

	got, err := config.Load(lookup, config.WithOverride(func(c *config.Config) { c.ExtraHeaders["X-B"] = "2" }))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"X-A": "1", "X-B": "2"}; !reflect.DeepEqual(got.ExtraHeaders, want) {
		t.Errorf("ExtraHeaders = %v, want %v", got.ExtraHeaders, want)
	}

	// An invalid header added in place is validated and blamed on the override.
	_, err = config.Load(lookup, config.WithOverride(func(c *config.Config) { c.ExtraHeaders["bad name"] = "x" }))
	const want = `WithOverride: ExtraHeaders: header name "bad name" is not a valid HTTP header name`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}

func TestLoad_InvalidEnv(t *testing.T) {
	const urlHint = "(expected an http or https URL such as https://console.example.com)"
	const headersHint = `(expected a JSON object of header names to string values, e.g. {"X-Team":"qa"})`
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		notWant string // a value that must not be echoed
	}{
		{"backend", map[string]string{"GALILEOTEST_BACKEND": "foo"},
			`GALILEOTEST_BACKEND: "foo" is not one of auto, remote, emulator`, ""},
		{"keep", map[string]string{"GALILEOTEST_KEEP": "maybe"},
			`GALILEOTEST_KEEP: "maybe" is not a boolean (expected true or false, 1 or 0, yes or no, on or off)`, ""},
		{"console scheme", map[string]string{"GALILEO_CONSOLE_URL": "ftp://files.example"},
			`GALILEO_CONSOLE_URL: "ftp://files.example" has scheme "ftp" ` + urlHint, ""},
		{"api url unparsable", map[string]string{"GALILEO_API_URL": "https://exa mple.com"},
			`GALILEO_API_URL: "https://exa mple.com" is not a valid URL ` + urlHint, ""},
		{"api url without host", map[string]string{"GALILEO_API_URL": "https:///path"},
			`GALILEO_API_URL: "https:///path" has no host ` + urlHint, ""},
		{"api url with credentials", map[string]string{"GALILEO_API_URL": "https://bob:hunter2@api.example"},
			`GALILEO_API_URL: "https://bob:xxxxx@api.example" must not contain user credentials; pass them as GALILEO_API_KEY or SPLUNK_AO_API_KEY`, "hunter2"},
		{"api url with query", map[string]string{"GALILEO_API_URL": "https://api.example/?token=hunter2"},
			`GALILEO_API_URL: "https://api.example/…" must not have a query or fragment ` + urlHint, "hunter2"},
		{"headers not JSON", map[string]string{"GALILEO_EXTRA_HEADERS": `{"Authorization": hunter2}`},
			`GALILEO_EXTRA_HEADERS: invalid JSON at byte 19 ` + headersHint, "hunter2"},
		{"headers array", map[string]string{"GALILEO_EXTRA_HEADERS": `["X-A"]`},
			`GALILEO_EXTRA_HEADERS: got an array ` + headersHint, ""},
		{"headers number value", map[string]string{"GALILEO_EXTRA_HEADERS": `{"X-Count": 3}`},
			`GALILEO_EXTRA_HEADERS: header "X-Count": value is a number, not a string ` + headersHint, ""},
		{"headers nested", map[string]string{"GALILEO_EXTRA_HEADERS": `{"X-Api-Key": {"v": "hunter2"}}`},
			`GALILEO_EXTRA_HEADERS: header "X-Api-Key": value is an object, not a string ` + headersHint, "hunter2"},
		{"headers trailing data", map[string]string{"GALILEO_EXTRA_HEADERS": `{"X-A":"1"} {}`},
			`GALILEO_EXTRA_HEADERS: unexpected data after the JSON value ` + headersHint, ""},
		{"header name", map[string]string{"GALILEO_EXTRA_HEADERS": `{"X Team":"qa"}`},
			`GALILEO_EXTRA_HEADERS: header name "X Team" is not a valid HTTP header name`, ""},
		{"header value newline", map[string]string{"GALILEO_EXTRA_HEADERS": `{"X-Token":"hunter2\nEvil: 1"}`},
			`GALILEO_EXTRA_HEADERS: value of header "X-Token" contains a control character such as a newline`, "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(env(tt.env))
			checkLoadError(t, c, err, tt.want, tt.notWant)
		})
	}
}

// checkLoadError checks that Load, which returned c and err, failed with
// exactly the message want, as a *config.Error, without showing notWant.
func checkLoadError(t *testing.T, c *config.Config, err error, want, notWant string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Load succeeded with %v, want error %q", c, want)
	}
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
	if notWant != "" && strings.Contains(err.Error(), notWant) {
		t.Errorf("error %q shows the value %q", err, notWant)
	}
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Errorf("error %T is not a *config.Error", err)
	}
}

func TestLoad_ReportsEveryInvalidValue(t *testing.T) {
	_, err := config.Load(env(map[string]string{
		"GALILEO_API_KEY":     "sk-never-shown",
		"GALILEOTEST_BACKEND": "foo",
		"GALILEOTEST_KEEP":    "maybe",
	}))
	if err == nil {
		t.Fatal("Load succeeded, want two errors")
	}
	for _, want := range []string{"GALILEOTEST_BACKEND: ", "GALILEOTEST_KEEP: "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "sk-never-shown") {
		t.Errorf("error %q shows the API key", err)
	}
}

func TestLoad_InvalidOverride(t *testing.T) {
	tests := []struct {
		name string
		over func(*config.Config)
		want string
	}{
		{"backend", func(c *config.Config) { c.Backend = "fast" },
			`WithOverride: Backend: "fast" is not one of auto, remote, emulator`},
		{"console url", func(c *config.Config) { c.ConsoleURL = "mailto://x" },
			`WithOverride: ConsoleURL: "mailto://x" has scheme "mailto" (expected an http or https URL such as https://console.example.com)`},
		{"api url", func(c *config.Config) { c.APIURL = "https://a b" },
			`WithOverride: APIURL: "https://a b" is not a valid URL (expected an http or https URL such as https://console.example.com)`},
		{"header", func(c *config.Config) { c.ExtraHeaders = map[string]string{"": "x"} },
			`WithOverride: ExtraHeaders: header name "" is not a valid HTTP header name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(env(nil), config.WithOverride(tt.over))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error:\n got %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestLoad_InvalidEnvDespiteOverride(t *testing.T) {
	// An invalid environment value is an error even when an override later
	// replaces it: the variable is still wrong and should be fixed.
	_, err := config.Load(env(map[string]string{"GALILEOTEST_BACKEND": "foo"}),
		config.WithOverride(func(c *config.Config) { c.Backend = config.BackendEmulator }))
	if err == nil || !strings.HasPrefix(err.Error(), "GALILEOTEST_BACKEND: ") {
		t.Errorf("error = %v, want one naming GALILEOTEST_BACKEND", err)
	}
}

func TestParseBackend(t *testing.T) {
	tests := []struct {
		in      string
		want    config.Backend
		wantErr string
	}{
		{"", config.BackendAuto, ""},
		{"auto", config.BackendAuto, ""},
		{" REMOTE ", config.BackendRemote, ""},
		{"emulator", config.BackendEmulator, ""},
		{"emu", "", `"emu" is not one of auto, remote, emulator`},
	}
	for _, tt := range tests {
		got, err := config.ParseBackend(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseBackend(%q) error = %v, want %s", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseBackend(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestConfig_ResolveBackend(t *testing.T) {
	tests := []struct {
		name    string
		cfg     config.Config
		want    config.Backend
		wantErr []string // substrings of the error
		noCreds bool     // the error wraps ErrNoCredentials
	}{
		{"auto with API key", config.Config{Backend: config.BackendAuto, APIKey: "k"}, config.BackendRemote, nil, false},
		{"auto with JWT", config.Config{Backend: config.BackendAuto, JWT: "j"}, config.BackendRemote, nil, false},
		{"auto with API key in CI", config.Config{Backend: config.BackendAuto, APIKey: "k", CI: true}, config.BackendRemote, nil, false},
		{"auto without credentials", config.Config{Backend: config.BackendAuto}, config.BackendEmulator, nil, false},
		{"unset means auto", config.Config{}, config.BackendEmulator, nil, false},
		{"auto without credentials in CI", config.Config{Backend: config.BackendAuto, CI: true}, "",
			[]string{"CI", "GALILEO_API_KEY", "SPLUNK_AO_API_KEY", "GALILEOTEST_BACKEND=emulator"}, true},
		{"remote with credentials", config.Config{Backend: config.BackendRemote, APIKey: "k"}, config.BackendRemote, nil, false},
		{"remote without credentials", config.Config{Backend: config.BackendRemote}, "",
			[]string{"GALILEOTEST_BACKEND=remote", "GALILEO_API_KEY", "SPLUNK_AO_API_KEY", "GALILEO_JWT_TOKEN", "SPLUNK_AO_JWT_TOKEN"}, true},
		{"emulator with credentials", config.Config{Backend: config.BackendEmulator, APIKey: "k"}, config.BackendEmulator, nil, false},
		{"emulator in CI", config.Config{Backend: config.BackendEmulator, CI: true}, config.BackendEmulator, nil, false},
		{"invalid", config.Config{Backend: "fast"}, "",
			[]string{`GALILEOTEST_BACKEND: "fast" is not one of auto, remote, emulator`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.cfg.ResolveBackend()
			if tt.wantErr == nil {
				if err != nil || got != tt.want {
					t.Errorf("ResolveBackend() = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ResolveBackend() = %q, want an error", got)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if errors.Is(err, config.ErrNoCredentials) != tt.noCreds {
				t.Errorf("errors.Is(%q, ErrNoCredentials) = %t, want %t", err, !tt.noCreds, tt.noCreds)
			}
		})
	}
}

func TestConfig_ResolveBackendCIMessage(t *testing.T) {
	c := config.Config{CI: true}
	_, err := c.ResolveBackend()
	const want = "running in CI (CI is set) with GALILEOTEST_BACKEND=auto and no Galileo credentials configured: " +
		"set GALILEO_API_KEY (or SPLUNK_AO_API_KEY) to run against Galileo, or set GALILEOTEST_BACKEND=emulator to run against the emulator on purpose"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}

func TestConfig_HasCredentials(t *testing.T) {
	for _, tt := range []struct {
		cfg  config.Config
		want bool
	}{
		{config.Config{}, false},
		{config.Config{APIKey: "k"}, true},
		{config.Config{JWT: "j"}, true},
		{config.Config{ExtraHeaders: map[string]string{"Authorization": "Bearer x"}}, false},
	} {
		if got := tt.cfg.HasCredentials(); got != tt.want {
			t.Errorf("%v.HasCredentials() = %t, want %t", tt.cfg, got, tt.want)
		}
	}
}

func TestConfig_ConsoleLink(t *testing.T) {
	tests := []struct {
		console, pid, eid, want string
	}{
		{"https://app.galileo.ai/", "p1", "e1", "https://app.galileo.ai/project/p1/experiments/e1"},
		{"https://console.acme.galileo.ai", "p1", "e1", "https://console.acme.galileo.ai/project/p1/experiments/e1"},
		{"http://localhost:3000//", "p1", "e1", "http://localhost:3000/project/p1/experiments/e1"},
		{"", "p1", "e1", ""}, // unknown console: no link
		{"/", "p1", "e1", ""},
		{"https://app.galileo.ai/", "a/b", "c d", "https://app.galileo.ai/project/a%2Fb/experiments/c%20d"},
	}
	for _, tt := range tests {
		c := config.Config{ConsoleURL: tt.console}
		if got := c.ConsoleLink(tt.pid, tt.eid); got != tt.want {
			t.Errorf("ConsoleLink with console %q = %q, want %q", tt.console, got, tt.want)
		}
	}
}

func TestLoad_Parallel(t *testing.T) {
	c, err := config.Load(env(map[string]string{config.EnvParallel: " 64 "}), file("parallel: 8\n"))
	if err != nil || c.Parallel != 64 {
		t.Fatalf("GALILEOTEST_PARALLEL=64 over parallel: 8: Parallel = %d, %v; want 64 from the environment", c.Parallel, err)
	}
	c, err = config.Load(env(nil), file("parallel: 8\n"))
	if err != nil || c.Parallel != 8 {
		t.Fatalf("parallel: 8: Parallel = %d, %v; want 8", c.Parallel, err)
	}
	_, err = config.Load(env(map[string]string{config.EnvParallel: "-2"}))
	if want := `GALILEOTEST_PARALLEL: "-2" is not a positive whole number of experiments to run at once`; err == nil || err.Error() != want {
		t.Errorf("GALILEOTEST_PARALLEL=-2: %v, want %s", err, want)
	}
}
