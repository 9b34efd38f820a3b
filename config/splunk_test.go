package config_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/config"
)

// splunkPairs lists every SPLUNK_AO_ alias with its GALILEO_ variable, a
// valid value and the Config field it sets.
var splunkPairs = []struct {
	splunk, galileo string
	value           string
	get             func(*config.Config) string
}{
	{"SPLUNK_AO_API_KEY", "GALILEO_API_KEY", "k-1", func(c *config.Config) string { return c.APIKey }},
	{"SPLUNK_AO_JWT_TOKEN", "GALILEO_JWT_TOKEN", "j-1", func(c *config.Config) string { return c.JWT }},
	{"SPLUNK_AO_CONSOLE_URL", "GALILEO_CONSOLE_URL", "https://console.one.example", func(c *config.Config) string { return c.ConsoleURL }},
	{"SPLUNK_AO_API_URL", "GALILEO_API_URL", "https://gw.one.example", func(c *config.Config) string { return c.APIURL }},
	{"SPLUNK_AO_PROJECT", "GALILEO_PROJECT", "proj-1", func(c *config.Config) string { return c.Project }},
	{"SPLUNK_AO_PROJECT_ID", "GALILEO_PROJECT_ID", "pid-1", func(c *config.Config) string { return c.ProjectID }},
}

func TestSplunkEnvConstants(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{config.EnvSplunkAPIKey, "SPLUNK_AO_API_KEY"},
		{config.EnvSplunkJWT, "SPLUNK_AO_JWT_TOKEN"},
		{config.EnvSplunkConsoleURL, "SPLUNK_AO_CONSOLE_URL"},
		{config.EnvSplunkAPIURL, "SPLUNK_AO_API_URL"},
		{config.EnvSplunkProject, "SPLUNK_AO_PROJECT"},
		{config.EnvSplunkProjectID, "SPLUNK_AO_PROJECT_ID"},
	} {
		if tt.got != tt.want {
			t.Errorf("constant = %q, want %q", tt.got, tt.want)
		}
	}
}

func TestLoad_SplunkEnvAlone(t *testing.T) {
	for _, p := range splunkPairs {
		t.Run(p.splunk, func(t *testing.T) {
			c, err := config.Load(env(map[string]string{p.splunk: "  " + p.value + "\n"}))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.get(c); got != p.value {
				t.Errorf("%s=%q gives %q, want %q", p.splunk, p.value, got, p.value)
			}
		})
	}
}

func TestLoad_GalileoEnvWinsOverSplunk(t *testing.T) {
	for _, p := range splunkPairs {
		t.Run(p.galileo, func(t *testing.T) {
			other := strings.Replace(p.value, "1", "2", 1)
			c, err := config.Load(env(map[string]string{p.splunk: other, p.galileo: p.value}))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.get(c); got != p.value {
				t.Errorf("%s=%q and %s=%q give %q, want the GALILEO_ value", p.galileo, p.value, p.splunk, other, got)
			}
		})
	}
}

func TestLoad_BlankGalileoEnvFallsBackToSplunk(t *testing.T) {
	for _, p := range splunkPairs {
		t.Run(p.galileo, func(t *testing.T) {
			c, err := config.Load(env(map[string]string{p.galileo: " \t", p.splunk: p.value}))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.get(c); got != p.value {
				t.Errorf("blank %s and %s=%q give %q, want %q", p.galileo, p.splunk, p.value, got, p.value)
			}
		})
	}
}

func TestLoad_SplunkEnvBeatsFile(t *testing.T) {
	c, err := config.Load(env(map[string]string{"SPLUNK_AO_PROJECT": "from-splunk"}), file("project: from-file\napi_key: fk\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Project != "from-splunk" || c.APIKey != "fk" {
		t.Errorf("Project, APIKey = %q, %q; want from-splunk, fk", c.Project, c.APIKey)
	}
}

func TestLoad_SplunkEnvLosesToOverride(t *testing.T) {
	c, err := config.Load(env(map[string]string{"SPLUNK_AO_PROJECT": "from-splunk"}),
		config.WithOverride(func(c *config.Config) { c.Project = "from-go" }))
	if err != nil || c.Project != "from-go" {
		t.Errorf("Project = %q, %v; want from-go", c.Project, err)
	}
}

func TestLoad_SplunkAPIKeyAloneIsRemote(t *testing.T) {
	// Before the aliases, SPLUNK_AO_API_KEY alone meant "no credentials".
	for _, ci := range []string{"", "true"} {
		c, err := config.Load(env(map[string]string{"SPLUNK_AO_API_KEY": "k-1", "CI": ci}))
		if err != nil {
			t.Fatal(err)
		}
		if !c.HasCredentials() {
			t.Errorf("CI=%q: HasCredentials() = false with SPLUNK_AO_API_KEY", ci)
		}
		if b, err := c.ResolveBackend(); err != nil || b != config.BackendRemote {
			t.Errorf("CI=%q: ResolveBackend() = %q, %v; want remote", ci, b, err)
		}
	}
}

func TestLoad_SplunkConsoleURLDerivesAPIURL(t *testing.T) {
	c, err := config.Load(env(map[string]string{"SPLUNK_AO_CONSOLE_URL": "console.acme.example"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ConsoleURL != "https://console.acme.example" || c.APIURL != "https://api.acme.example" {
		t.Errorf("ConsoleURL, APIURL = %q, %q", c.ConsoleURL, c.APIURL)
	}
}

func TestLoad_InvalidSplunkEnvNamesIt(t *testing.T) {
	const urlHint = "(expected an http or https URL such as https://console.example.com)"
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		notWant string
	}{
		{"console URL", map[string]string{"SPLUNK_AO_CONSOLE_URL": "ftp://files.example"},
			`SPLUNK_AO_CONSOLE_URL: "ftp://files.example" has scheme "ftp" ` + urlHint, ""},
		{"API URL with credentials", map[string]string{"SPLUNK_AO_API_URL": "https://bob:hunter2@api.example"},
			`SPLUNK_AO_API_URL: "https://bob:xxxxx@api.example" must not contain user credentials; pass them as GALILEO_API_KEY or SPLUNK_AO_API_KEY`, "hunter2"},
		{"the GALILEO_ value is the one validated", map[string]string{"GALILEO_API_URL": "ftp://x.example", "SPLUNK_AO_API_URL": "https://api.example"},
			`GALILEO_API_URL: "ftp://x.example" has scheme "ftp" ` + urlHint, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(env(tt.env))
			checkLoadError(t, c, err, tt.want, tt.notWant)
		})
	}
}

func TestLoad_LosingSplunkValueIsNotValidated(t *testing.T) {
	c, err := config.Load(env(map[string]string{"GALILEO_CONSOLE_URL": "https://console.acme.example", "SPLUNK_AO_CONSOLE_URL": "ftp://ignored"}))
	if err != nil || c.ConsoleURL != "https://console.acme.example" {
		t.Errorf("ConsoleURL = %q, %v; want the GALILEO_ value and no error", c.ConsoleURL, err)
	}
}

func TestLoad_NoSplunkExtraHeaders(t *testing.T) {
	// splunk-ao has no extra-headers variable; only GALILEO_EXTRA_HEADERS is read.
	c, err := config.Load(env(map[string]string{"SPLUNK_AO_EXTRA_HEADERS": `{"X-A":"1"}`}))
	if err != nil || c.ExtraHeaders != nil {
		t.Errorf("ExtraHeaders = %v, %v; want none", c.ExtraHeaders, err)
	}
}

func TestLoad_SplunkSecretsRedacted(t *testing.T) {
	const key, jwt = "sk-splunk-canary", "jwt-splunk-canary"
	c, err := config.Load(env(map[string]string{"SPLUNK_AO_API_KEY": key, "SPLUNK_AO_JWT_TOKEN": jwt}))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{c.String(), fmt.Sprintf("%v %+v %#v", c, c, c)} {
		if strings.Contains(s, key) || strings.Contains(s, jwt) {
			t.Errorf("output shows a secret: %s", s)
		}
	}
}

// A key from SPLUNK_AO_API_KEY is sent in the Splunk-AO-API-Key header; a
// key from GALILEO_API_KEY, the file or an override is exchanged at login.
func TestLoad_APIKeyHeader(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		opts []config.Option
		want string
	}{
		{"SPLUNK_AO_API_KEY", map[string]string{"SPLUNK_AO_API_KEY": "k"}, nil, config.HeaderSplunkAPIKey},
		{"GALILEO_API_KEY", map[string]string{"GALILEO_API_KEY": "k"}, nil, ""},
		{"both: GALILEO_API_KEY wins and logs in", map[string]string{"GALILEO_API_KEY": "k", "SPLUNK_AO_API_KEY": "s"}, nil, ""},
		{"blank GALILEO_API_KEY", map[string]string{"GALILEO_API_KEY": " ", "SPLUNK_AO_API_KEY": "s"}, nil, config.HeaderSplunkAPIKey},
		{"override replaces the key", map[string]string{"SPLUNK_AO_API_KEY": "s"},
			[]config.Option{config.WithOverride(func(c *config.Config) { c.APIKey = "o" })}, ""},
		{"no key", map[string]string{"SPLUNK_AO_PROJECT": "p"}, nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(append([]config.Option{env(tt.env)}, tt.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			if c.APIKeyHeader != tt.want {
				t.Errorf("APIKeyHeader = %q, want %q", c.APIKeyHeader, tt.want)
			}
		})
	}
}
