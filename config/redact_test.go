package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/config"
)

// Canary secrets: none of them may appear in any printed form of a Config.
var canaries = []string{
	"canary-api-key-7Q2x",
	"canary-jwt-Zr91",
	"canary-authorization-55",
	"canary-x-api-key-66",
	"canary-cookie-77",
	"canary-client-secret-88",
	"canary-token-99",
}

// canaryConfig loads a Config whose secrets are the canaries.
func canaryConfig(t *testing.T) *config.Config {
	t.Helper()
	headers, err := json.Marshal(map[string]string{
		"Authorization":   "Bearer " + canaries[2],
		"X-Api-Key":       canaries[3],
		"Cookie":          "session=" + canaries[4],
		"X-Client-Secret": canaries[5],
		"X-Auth-Token":    canaries[6],
		"User-Agent":      "visible-team-value",
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(env(map[string]string{
		"GALILEO_API_KEY":       canaries[0],
		"GALILEO_JWT_TOKEN":     canaries[1],
		"GALILEO_PROJECT":       "visible-project",
		"GALILEO_EXTRA_HEADERS": string(headers),
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConfig_StringRedactsSecrets(t *testing.T) {
	c := canaryConfig(t)
	type wrapper struct {
		Cfg  config.Config
		Ptr  *config.Config
		List []config.Config
	}
	w := wrapper{Cfg: *c, Ptr: c, List: []config.Config{*c}}

	outputs := map[string]string{
		"String":   c.String(),
		"GoString": c.GoString(),
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		outputs["value "+verb] = fmt.Sprintf(verb, *c)
		outputs["pointer "+verb] = fmt.Sprintf(verb, c)
		outputs["nested "+verb] = fmt.Sprintf(verb, w)
		outputs["map "+verb] = fmt.Sprintf(verb, map[string]*config.Config{"c": c})
	}
	outputs["Sprint"] = fmt.Sprint(c)
	outputs["Sprintln"] = fmt.Sprintln(*c)

	for _, v := range []any{*c, c, w} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%T): %v", v, err)
		}
		outputs[fmt.Sprintf("json %T", v)] = string(b)
	}

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("cfg", "value", *c, "pointer", c)
	outputs["slog JSON"] = buf.String()
	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, nil)).Info("cfg", "value", *c, slog.Any("pointer", c))
	outputs["slog text"] = buf.String()

	for name, out := range outputs {
		for _, secret := range canaries {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows secret %q:\n%s", name, secret, out)
			}
		}
		// The output must still be useful: non-secret values visible and
		// secrets marked as set.
		if !strings.Contains(out, "visible-project") {
			t.Errorf("%s does not show the project:\n%s", name, out)
		}
		if !strings.Contains(out, "set (redacted)") {
			t.Errorf("%s does not mark secrets as set:\n%s", name, out)
		}
	}
	for _, name := range []string{"String", "value %v", "json config.Config", "slog JSON"} {
		if !strings.Contains(outputs[name], "visible-team-value") {
			t.Errorf("%s hides a non-sensitive header value:\n%s", name, outputs[name])
		}
	}
}

func TestConfig_String(t *testing.T) {
	c := config.Config{
		APIKey:       "k",
		ConsoleURL:   "https://app.galileo.ai/",
		APIURL:       "https://api.galileo.ai/",
		Project:      "p",
		ExtraHeaders: map[string]string{"X-Team": "qa", "User-Agent": "bot/1", "Authorization": "Bearer t"},
		Backend:      config.BackendAuto,
		Keep:         true,
	}
	const want = `config{backend=auto console_url="https://app.galileo.ai/" api_url="https://api.galileo.ai/" ` +
		`project="p" project_id="" api_key=set (redacted) jwt=unset ` +
		`extra_headers={"Authorization": set (redacted), "User-Agent": "bot/1", "X-Team": set (redacted)} keep=true report="" ci=false}`
	if got := c.String(); got != want {
		t.Errorf("String():\n got %s\nwant %s", got, want)
	}
	if got := fmt.Sprintf("%v", c); got != want {
		t.Errorf("%%v:\n got %s\nwant %s", got, want)
	}
	const wantGo = `config.Config{APIKey:"set (redacted)", APIKeyHeader:"", JWT:"", ConsoleURL:"https://app.galileo.ai/", ` +
		`APIURL:"https://api.galileo.ai/", Project:"p", ProjectID:"", ` +
		`ExtraHeaders:map[string]string{"Authorization":"set (redacted)", "User-Agent":"bot/1", "X-Team":"set (redacted)"}, ` +
		`Backend:"auto", Keep:true, ReportPath:"", Shard:config.Shard{Index:0, Count:0}, Parallel:0, CI:false, ` +
		`EmulatorNoStructuredAggregates:false, EmulatorPublishAggregates:"", EmulatorJudgeNoise:0}`
	if got := fmt.Sprintf("%#v", c); got != wantGo {
		t.Errorf("%%#v:\n got %s\nwant %s", got, wantGo)
	}
	if c.ExtraHeaders["Authorization"] != "Bearer t" || c.APIKey != "k" {
		t.Error("printing changed the Config's secrets")
	}
}

func TestConfig_MarshalJSON(t *testing.T) {
	c := config.Config{
		JWT:          "j",
		ConsoleURL:   "https://app.galileo.ai/",
		APIURL:       "https://api.galileo.ai/",
		ExtraHeaders: map[string]string{"Cookie": "a=b"},
		Backend:      config.BackendRemote,
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"backend":"remote","console_url":"https://app.galileo.ai/","api_url":"https://api.galileo.ai/",` +
		`"jwt":"set (redacted)","extra_headers":{"Cookie":"set (redacted)"},"keep":false,"ci":false}`
	if string(b) != want {
		t.Errorf("json:\n got %s\nwant %s", b, want)
	}
}

func TestConfig_NilPointerPrints(t *testing.T) {
	var c *config.Config
	if got := fmt.Sprintf("%v", c); got != "<nil>" {
		t.Errorf("%%v of a nil *Config = %q, want <nil>", got)
	}
}

func TestIsSensitiveHeader(t *testing.T) {
	for _, tt := range []struct {
		name string
		want bool
	}{
		{"Authorization", true},
		{"proxy-authorization", true},
		{"X-Api-Key", true},
		{"Galileo-API-Key", true},
		{"X-Auth-Token", true},
		{"Cookie", true},
		{"Set-Cookie", true},
		{"X-Client-Secret", true},
		{"X-Password", true},
		{"X-Credentials", true},
		{"X-Team", true}, // an extra header may carry a credential: secret unless known harmless
		{"X-Session", true},
		{"X-Request-Id", true},
		{"Content-Type", false},
		{"user-agent", false},
		{"Accept", false},
	} {
		if got := config.IsSensitiveHeader(tt.name); got != tt.want {
			t.Errorf("IsSensitiveHeader(%q) = %t, want %t", tt.name, got, tt.want)
		}
	}
}

func TestConfig_String_redactsURLSecrets(t *testing.T) {
	c := config.Config{APIURL: "https://user:pw-secret-1@api.example.test/v2?api_key=key-secret-2&x=1#frag-secret-3", ConsoleURL: "https://console.example.test/"}
	for _, out := range []string{c.String(), fmt.Sprintf("%v", c), fmt.Sprintf("%#v", c)} {
		for _, secret := range []string{"pw-secret-1", "key-secret-2", "frag-secret-3"} {
			if strings.Contains(out, secret) {
				t.Errorf("output shows %s: %s", secret, out)
			}
		}
		if !strings.Contains(out, "api.example.test/v2") {
			t.Errorf("output lost the URL's host and path: %s", out)
		}
	}
}
