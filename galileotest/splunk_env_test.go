package galileotest

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// TestNewRunner_splunkEnv runs an experiment against a standalone emulator
// configured only through environment variables: the SPLUNK_AO_ aliases
// alone, and GALILEO_API_URL without a console URL. The console link is
// derived from the loopback API URL, not the hosted console's.
//
// A key from SPLUNK_AO_API_KEY travels in the Splunk-AO-API-Key header with
// no login; a key from GALILEO_API_KEY is exchanged at POST /login/api_key.
func TestNewRunner_splunkEnv(t *testing.T) {
	var (
		mu   sync.Mutex
		auth = map[string]int{} // "login", or the header that authenticated a request
	)
	record := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			switch {
			case r.URL.Path == "/login/api_key":
				auth["login"]++
			case r.Header.Get(config.HeaderSplunkAPIKey) != "":
				auth[config.HeaderSplunkAPIKey]++
			case r.Header.Get("Authorization") != "":
				auth["Authorization"]++
			}
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
	emu, _ := newEmulator(t, emulator.Options{ScoringDelay: time.Millisecond, Middleware: record})
	tests := []struct {
		name    string
		env     env
		project string
		auth    string // how the run's requests authenticated
	}{
		{"SPLUNK_AO_ only", env{"CI": "true", "SPLUNK_AO_API_URL": emu.URL(), "SPLUNK_AO_API_KEY": emu.APIKey(), "SPLUNK_AO_PROJECT": "splunk-proj"}, "splunk-proj", config.HeaderSplunkAPIKey},
		{"GALILEO_API_URL without console URL", env{"CI": "true", "GALILEO_API_URL": emu.URL(), "GALILEO_API_KEY": emu.APIKey(), "GALILEO_PROJECT": "galileo-proj"}, "galileo-proj", "Authorization"},
		{"GALILEO_ wins over SPLUNK_AO_", env{"CI": "true", "GALILEO_API_URL": emu.URL(), "GALILEO_API_KEY": emu.APIKey(),
			"GALILEO_PROJECT":   "galileo-proj",
			"SPLUNK_AO_API_URL": "http://127.0.0.1:1", "SPLUNK_AO_API_KEY": "not-the-key", "SPLUNK_AO_PROJECT": "splunk-proj"}, "galileo-proj", "Authorization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			clear(auth)
			mu.Unlock()
			r, err := NewRunner(WithLookupEnv(tt.env.lookup), WithFunc("answer", echoFunc))
			if err != nil {
				t.Fatalf("NewRunner: %v", err)
			}
			defer r.Close()
			if r.Backend() != config.BackendRemote {
				t.Fatalf("Backend() = %q, want remote", r.Backend())
			}
			rep, err := r.Run(t.Context(), Experiment{
				Name: "splunk-env", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"},
				Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.95"}},
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if rep.Status != report.StatusPassed {
				t.Errorf("status %q, want passed: %+v", rep.Status, rep)
			}
			if rep.Project != tt.project {
				t.Errorf("project %q, want %q", rep.Project, tt.project)
			}
			want := strings.TrimRight(emu.URL(), "/") + "/project/" + rep.ProjectID + "/experiments/" + rep.ID
			if rep.Link != want {
				t.Errorf("link = %q, want %q", rep.Link, want)
			}
			mu.Lock()
			defer mu.Unlock()
			wantLogin := 0
			if tt.auth == "Authorization" {
				wantLogin = 1
			}
			if auth[tt.auth] == 0 || auth["login"] != wantLogin || len(auth) != 1+wantLogin {
				t.Errorf("requests authenticated by %v, want every one by %s (logins: %d)", auth, tt.auth, wantLogin)
			}
		})
	}
}
