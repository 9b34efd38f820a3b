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
		{map[string]string{"GALILEO_API_URL": "http://127.0.0.1:9999"}, "https://app.galileo.ai/", "http://127.0.0.1:9999", "API URL alone"},
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
