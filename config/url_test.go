package config_test

import (
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/config"
)

func TestDeriveAPIURL(t *testing.T) {
	tests := []struct {
		name, console, want string
	}{
		{"blank gives the default", "  ", "https://api.galileo.ai/"},
		{"hosted console", "https://app.galileo.ai/", "https://api.galileo.ai"},
		{"hosted console without slash", "https://app.galileo.ai", "https://api.galileo.ai"},
		{"hosted console without scheme", "app.galileo.ai", "https://api.galileo.ai"},
		{"localhost", "http://localhost:3000", "http://localhost:8088"},
		{"localhost without scheme", "localhost:3000", "http://localhost:8088"},
		{"loopback address", "https://127.0.0.1:9000/", "http://localhost:8088"},
		{"console replaced by api", "https://console.acme.galileo.ai", "https://api.acme.galileo.ai"},
		{"console replaced keeps slash", "https://console.acme.galileo.ai/", "https://api.acme.galileo.ai/"},
		{"console without scheme", "console.acme.galileo.ai", "https://api.acme.galileo.ai"},
		{"every console replaced", "https://console.acme.example/console", "https://api.acme.example/api"},
		{"neither word stays unchanged", "http://localtest:8088", "http://localtest:8088"},
		{"surrounding spaces", "  https://console.x.example \n", "https://api.x.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.DeriveAPIURL(tt.console)
			if err != nil || got != tt.want {
				t.Errorf("DeriveAPIURL(%q) = %q, %v; want %q", tt.console, got, err, tt.want)
			}
		})
	}
}

func TestDeriveAPIURL_Invalid(t *testing.T) {
	tests := []struct {
		console, want string
	}{
		{"ftp://console.example", `console URL: "ftp://console.example" has scheme "ftp"`},
		{"https://con sole.example", `console URL: "https://con sole.example" is not a valid URL`},
		{"https://", `console URL: "https://" has no host`},
		{"https://u:hunter2@console.example", `console URL: "https://u:xxxxx@console.example" must not contain user credentials`},
	}
	for _, tt := range tests {
		got, err := config.DeriveAPIURL(tt.console)
		if err == nil {
			t.Errorf("DeriveAPIURL(%q) = %q, want an error", tt.console, got)
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("DeriveAPIURL(%q) error:\n got %s\nwant prefix %s", tt.console, err, tt.want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error %q shows a password", err)
		}
	}
}

func TestLoad_DerivesAPIURL(t *testing.T) {
	// The same rules apply inside Load, and an explicit API URL wins.
	tests := []struct {
		env             map[string]string
		wantConsole     string
		wantAPI         string
		wantDescription string
	}{
		{map[string]string{}, "https://app.galileo.ai/", "https://api.galileo.ai/", "defaults"},
		{map[string]string{"GALILEO_CONSOLE_URL": "https://app.galileo.ai/"}, "https://app.galileo.ai/", "https://api.galileo.ai", "hosted"},
		{map[string]string{"GALILEO_CONSOLE_URL": "localhost:3000"}, "https://localhost:3000", "http://localhost:8088", "localhost"},
		{map[string]string{"GALILEO_CONSOLE_URL": "https://console.acme.galileo.ai"}, "https://console.acme.galileo.ai", "https://api.acme.galileo.ai", "console"},
		{map[string]string{"GALILEO_CONSOLE_URL": "http://localtest:8088"}, "http://localtest:8088", "http://localtest:8088", "unchanged"},
		{map[string]string{"GALILEO_CONSOLE_URL": "https://console.acme.galileo.ai", "GALILEO_API_URL": "http://127.0.0.1:9999"},
			"https://console.acme.galileo.ai", "http://127.0.0.1:9999", "explicit API URL wins"},
		{map[string]string{"GALILEO_API_URL": "http://127.0.0.1:9999"}, "http://127.0.0.1:9999", "http://127.0.0.1:9999", "loopback API URL alone"},
		{map[string]string{"GALILEO_API_URL": "https://api.galileo.ai"}, "https://app.galileo.ai/", "https://api.galileo.ai", "hosted API URL alone"},
		{map[string]string{"GALILEO_API_URL": "https://api.acme.galileo.ai/"}, "https://console.acme.galileo.ai", "https://api.acme.galileo.ai/", "api host API URL alone"},
		{map[string]string{"GALILEO_API_URL": "https://gw.acme.example/galileo"}, "", "https://gw.acme.example/galileo", "underivable API URL alone gives no console"},
		{map[string]string{"GALILEO_API_URL": "https://gw.acme.example", "GALILEO_CONSOLE_URL": "https://app.galileo.ai/"},
			"https://app.galileo.ai/", "https://gw.acme.example", "explicit console URL is not derived"},
		{map[string]string{"SPLUNK_AO_API_URL": "http://localhost:4000"}, "http://localhost:4000", "http://localhost:4000", "splunk loopback API URL alone"},
		{map[string]string{"SPLUNK_AO_API_URL": "https://api.acme.example", "SPLUNK_AO_CONSOLE_URL": "https://ui.acme.example"},
			"https://ui.acme.example", "https://api.acme.example", "explicit splunk console URL is not derived"},
	}
	for _, tt := range tests {
		t.Run(tt.wantDescription, func(t *testing.T) {
			c, err := config.Load(env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.ConsoleURL != tt.wantConsole || c.APIURL != tt.wantAPI {
				t.Errorf("ConsoleURL, APIURL = %q, %q; want %q, %q", c.ConsoleURL, c.APIURL, tt.wantConsole, tt.wantAPI)
			}
		})
	}
}

func TestLoad_DerivesConsoleURLFromFileAndOverride(t *testing.T) {
	c, err := config.Load(env(nil), file("api_url: https://api.acme.example\n"))
	if err != nil || c.ConsoleURL != "https://console.acme.example" {
		t.Errorf("file api_url: ConsoleURL = %q, %v; want https://console.acme.example", c.ConsoleURL, err)
	}
	c, err = config.Load(env(nil), file("api_url: https://api.acme.example\nconsole_url: https://ui.acme.example\n"))
	if err != nil || c.ConsoleURL != "https://ui.acme.example" {
		t.Errorf("file console_url: ConsoleURL = %q, %v; want https://ui.acme.example", c.ConsoleURL, err)
	}
	c, err = config.Load(env(nil), config.WithOverride(func(c *config.Config) { c.APIURL = "http://[::1]:8088" }))
	if err != nil || c.ConsoleURL != "http://[::1]:8088" {
		t.Errorf("override APIURL: ConsoleURL = %q, %v; want http://[::1]:8088", c.ConsoleURL, err)
	}
	// An environment console URL is explicit even when an override sets the API URL.
	c, err = config.Load(env(map[string]string{"GALILEO_CONSOLE_URL": "https://ui.acme.example"}),
		config.WithOverride(func(c *config.Config) { c.APIURL = "https://api.other.example" }))
	if err != nil || c.ConsoleURL != "https://ui.acme.example" {
		t.Errorf("env console + override API: ConsoleURL = %q, %v; want https://ui.acme.example", c.ConsoleURL, err)
	}
}

func TestDeriveConsoleURL(t *testing.T) {
	tests := []struct {
		name, api, want string
	}{
		{"blank gives the default", "  ", "https://app.galileo.ai/"},
		{"hosted API", "https://api.galileo.ai", "https://app.galileo.ai/"},
		{"hosted API with slash", "https://api.galileo.ai/", "https://app.galileo.ai/"},
		{"hosted API without scheme", "api.galileo.ai", "https://app.galileo.ai/"},
		{"hosted API any case", "https://API.Galileo.AI/", "https://app.galileo.ai/"},
		{"loopback address", "http://127.0.0.1:41234", "http://127.0.0.1:41234"},
		{"loopback address with slash", "http://127.0.0.1:41234/", "http://127.0.0.1:41234/"},
		{"other loopback address", "http://127.0.0.2:8088", "http://127.0.0.2:8088"},
		{"IPv6 loopback", "http://[::1]:8088", "http://[::1]:8088"},
		{"localhost", "http://localhost:8088", "http://localhost:8088"},
		{"localhost without scheme", "localhost:8088", "https://localhost:8088"},
		{"api label replaced by console", "https://api.acme.galileo.ai", "https://console.acme.galileo.ai"},
		{"api label with slash", "https://api.acme.galileo.ai/", "https://console.acme.galileo.ai"},
		{"api label keeps port and scheme", "http://api.acme.example:8443", "http://console.acme.example:8443"},
		{"api label any case", "https://API.Acme.Example", "https://console.acme.example"},
		{"api label without scheme", "api.acme.example", "https://console.acme.example"},
		{"api label with a path is unknown", "https://api.acme.example/v2", ""},
		{"api only as a later label is unknown", "https://galileo.api.acme.example", ""},
		{"api prefix of a label is unknown", "https://apigw.acme.example", ""},
		{"bare api host is unknown", "http://api:8088", ""},
		{"other host is unknown", "https://gw.acme.example", ""},
		{"other IP is unknown", "http://10.0.0.5:8088", ""},
		{"splunk o11y API is unknown", "https://app.us1.observability.splunkcloud.com/ao/api/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.DeriveConsoleURL(tt.api)
			if err != nil || got != tt.want {
				t.Errorf("DeriveConsoleURL(%q) = %q, %v; want %q", tt.api, got, err, tt.want)
			}
		})
	}
}

func TestDeriveConsoleURL_RoundTrip(t *testing.T) {
	// For the SDKs' own shapes, deriving the API URL from the derived
	// console URL gives the API URL back.
	for _, api := range []string{"https://api.galileo.ai", "https://api.acme.galileo.ai"} {
		console, err := config.DeriveConsoleURL(api)
		if err != nil {
			t.Fatal(err)
		}
		back, err := config.DeriveAPIURL(console)
		if err != nil || back != api {
			t.Errorf("DeriveAPIURL(DeriveConsoleURL(%q) = %q) = %q, %v", api, console, back, err)
		}
	}
}

func TestDeriveConsoleURL_Invalid(t *testing.T) {
	tests := []struct {
		api, want string
	}{
		{"ftp://api.example", `API URL: "ftp://api.example" has scheme "ftp"`},
		{"https://", `API URL: "https://" has no host`},
		{"https://u:hunter2@api.example", `API URL: "https://u:xxxxx@api.example" must not contain user credentials`},
		{"https://api.example/?token=hunter2", `API URL: "https://api.example/…" must not have a query`},
	}
	for _, tt := range tests {
		got, err := config.DeriveConsoleURL(tt.api)
		if err == nil {
			t.Errorf("DeriveConsoleURL(%q) = %q, want an error", tt.api, got)
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("DeriveConsoleURL(%q) error:\n got %s\nwant prefix %s", tt.api, err, tt.want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error %q shows a secret", err)
		}
	}
}

func FuzzDeriveConsoleURL(f *testing.F) {
	for _, s := range []string{"https://api.acme.galileo.ai", "127.0.0.1:9", "http://[::1]:1", "api.galileo.ai", "https://u:p@h/?q#f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, api string) {
		got, err := config.DeriveConsoleURL(api)
		if err != nil || got == "" {
			return
		}
		if !strings.HasPrefix(got, "http://") && !strings.HasPrefix(got, "https://") {
			t.Errorf("DeriveConsoleURL(%q) = %q, not an http(s) URL", api, got)
		}
	})
}

func FuzzDeriveAPIURL(f *testing.F) {
	for _, s := range []string{"https://console.acme.galileo.ai", "localhost:3000", "http://localtest:8088", "ftp://x", "https://u:p@h/?q#f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, console string) {
		got, err := config.DeriveAPIURL(console)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "http://") && !strings.HasPrefix(got, "https://") {
			t.Errorf("DeriveAPIURL(%q) = %q, not an http(s) URL", console, got)
		}
	})
}
