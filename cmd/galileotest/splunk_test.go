package main

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/emulator"
)

// With only SPLUNK_AO_API_KEY and SPLUNK_AO_API_URL set, a run reaches the
// server those name and authenticates every request with the key in the
// Splunk-AO-API-Key header; a wrong key is refused.
func TestRun_SplunkEnvOnly(t *testing.T) {
	t.Parallel()
	var splunk, other atomic.Int32
	check := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Header.Get(config.HeaderSplunkAPIKey) != "":
				splunk.Add(1)
			case r.URL.Path != "/healthcheck":
				other.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}
	emu := emulator.NewTest(t, emulator.Options{ScoringDelay: time.Millisecond, APIKey: "splunk-ao-key", Middleware: check})
	env := vars{"SPLUNK_AO_API_URL": emu.URL(), "SPLUNK_AO_API_KEY": "splunk-ao-key"}

	r := cli(t, env, "run", "--project", "splunk", "testdata/evals/pass.yaml")
	if r.code != exitOK {
		t.Fatalf("run with SPLUNK_AO_ variables only: want exit %d\n%v", exitOK, r)
	}
	if splunk.Load() == 0 || other.Load() != 0 {
		t.Errorf("%d requests carried Splunk-AO-API-Key, %d authenticated otherwise; want all of them the header", splunk.Load(), other.Load())
	}

	r = cli(t, env.with("SPLUNK_AO_API_KEY", "wrong-key"), "run", "--project", "splunk", "testdata/evals/pass.yaml")
	if r.code == exitOK {
		t.Errorf("run with a wrong SPLUNK_AO_API_KEY passed, want a failure\n%v", r)
	}
}
