package config_test

import (
	"fmt"
	"testing/fstest"

	"github.com/galileo-community/galileo-go/config"
)

func Example() {
	// A map stands in for the process environment.
	environ := map[string]string{
		"GALILEO_API_KEY":     "my-secret-key",
		"GALILEO_CONSOLE_URL": "https://console.acme.galileo.ai",
		"GALILEO_PROJECT":     "support-bot",
	}
	cfg, err := config.Load(config.WithLookup(func(k string) (string, bool) {
		v, ok := environ[k]
		return v, ok
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	backend, err := cfg.ResolveBackend()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("api:", cfg.APIURL)
	fmt.Println("backend:", backend)
	fmt.Println("link:", cfg.ConsoleLink("p-1", "e-1"))
	fmt.Println(cfg)
	// Output:
	// api: https://api.acme.galileo.ai
	// backend: remote
	// link: https://console.acme.galileo.ai/project/p-1/experiments/e-1
	// config{backend=auto console_url="https://console.acme.galileo.ai" api_url="https://api.acme.galileo.ai" project="support-bot" project_id="" api_key=set (redacted) jwt=unset extra_headers={} keep=false report="" ci=false}
}

func ExampleLoad_file() {
	fsys := fstest.MapFS{"galileo.yaml": {Data: []byte(
		"project: support-bot\n" +
			"backend: emulator\n" +
			"extra_headers:\n" +
			"  X-Team: qa\n")}}
	noEnv := func(string) (string, bool) { return "", false }

	cfg, err := config.Load(
		config.WithLookup(noEnv),
		config.WithFS(fsys, "galileo.yaml"),
		config.WithOverride(func(c *config.Config) { c.Keep = true }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Project, cfg.Backend, cfg.ExtraHeaders, cfg.Keep)
	// Output:
	// support-bot emulator map[X-Team:qa] true
}

func ExampleLoad_invalid() {
	fsys := fstest.MapFS{"galileo.yaml": {Data: []byte("project: support-bot\nbakend: remote\n")}}
	environ := map[string]string{"GALILEOTEST_BACKEND": "foo"}

	_, err := config.Load(
		config.WithLookup(func(k string) (string, bool) { v, ok := environ[k]; return v, ok }),
		config.WithFS(fsys, "galileo.yaml"),
	)
	fmt.Println(err)
	// Output:
	// galileo.yaml:2: unknown key "bakend" (known keys: api_key, api_url, backend, console_url, extra_headers, keep, parallel, project, project_id, report)
	// GALILEOTEST_BACKEND: "foo" is not one of auto, remote, emulator
}

func ExampleConfig_ResolveBackend() {
	ci := config.Config{Backend: config.BackendAuto, CI: true}
	_, err := ci.ResolveBackend()
	fmt.Println(err)

	local := config.Config{Backend: config.BackendAuto}
	backend, _ := local.ResolveBackend()
	fmt.Println(backend)
	// Output:
	// running in CI (CI is set) with GALILEOTEST_BACKEND=auto and no Galileo credentials configured: set GALILEO_API_KEY (or SPLUNK_AO_API_KEY) to run against Galileo, or set GALILEOTEST_BACKEND=emulator to run against the emulator on purpose
	// emulator
}

func ExampleDeriveAPIURL() {
	for _, console := range []string{
		"https://app.galileo.ai/",
		"https://console.acme.galileo.ai",
		"localhost:3000",
		"http://localtest:8088",
	} {
		api, _ := config.DeriveAPIURL(console)
		fmt.Println(console, "->", api)
	}
	// Output:
	// https://app.galileo.ai/ -> https://api.galileo.ai
	// https://console.acme.galileo.ai -> https://api.acme.galileo.ai
	// localhost:3000 -> http://localhost:8088
	// http://localtest:8088 -> http://localtest:8088
}
