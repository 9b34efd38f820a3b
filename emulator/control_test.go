package emulator

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestControlRoutes_Access(t *testing.T) {
	s := newTestServer(t)
	key := s.APIKey()
	login := newAPI(t, s).ok(http.StatusOK, "POST", "/login/api_key", map[string]string{"api_key": key}).json(t)
	jwt, _ := login["access_token"].(string)
	if jwt == "" {
		t.Fatalf("login answered %v", login)
	}
	cases := []struct {
		name   string
		method string
		path   string
		body   string
		hdr    []string // pairs; "Host" sets the request's Host
		want   int
	}{
		{"loopback without credentials", "GET", "/_emulator/dump", "", nil, 200},
		{"loopback reset without a body", "POST", "/_emulator/reset", "", nil, 200},
		{"own origin", "POST", "/_emulator/reset", "", []string{"Origin", s.URL()}, 200},
		{"own origin via localhost", "GET", "/_emulator/dump", "", []string{"Host", "localhost:1", "Origin", "http://localhost:1"}, 200},
		{"JSON body", "POST", "/_emulator/faults", `{"route": "GET /healthcheck", "fault": {"status": 503, "times": 1}}`, []string{"Content-Type", "application/json; charset=utf-8"}, 200},
		{"foreign origin", "POST", "/_emulator/reset", "", []string{"Origin", "http://evil.example"}, 403},
		{"foreign origin with the API key", "POST", "/_emulator/reset", "", []string{"Origin", "http://evil.example", "Galileo-API-Key", key}, 403},
		{"foreign origin reading the dump", "GET", "/_emulator/dump", "", []string{"Origin", "http://localhost:3000"}, 403},
		{"null origin", "POST", "/_emulator/reset", "", []string{"Origin", "null"}, 403},
		{"cross-site fetch without Origin", "GET", "/_emulator/dump", "", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"text/plain body", "POST", "/_emulator/reset", "{}", []string{"Content-Type", "text/plain"}, 415},
		{"form body", "POST", "/_emulator/reset", "a=b", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415},
		{"body without a content type", "POST", "/_emulator/reset", "{}", []string{"Content-Type", ""}, 415},
		{"rebound host without credentials", "POST", "/_emulator/reset", "", []string{"Host", "evil.example:8088", "Origin", "http://evil.example:8088"}, 401},
		{"network host without credentials", "GET", "/_emulator/dump", "", []string{"Host", "192.168.1.5:8088"}, 401},
		{"network host with the API key", "GET", "/_emulator/dump", "", []string{"Host", "192.168.1.5:8088", "Galileo-API-Key", key}, 200},
		{"network host with a JWT", "GET", "/_emulator/dump", "", []string{"Host", "emu.internal", "Authorization", "Bearer " + jwt}, 200},
		{"wrong API key", "GET", "/_emulator/dump", "", []string{"Galileo-API-Key", "nope"}, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.CreateProject("keep-" + strings.ReplaceAll(tc.name, " ", "-")); err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest(tc.method, s.URL()+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i+1 < len(tc.hdr); i += 2 {
				if tc.hdr[i] == "Host" {
					req.Host = tc.hdr[i+1]
				} else {
					req.Header.Set(tc.hdr[i], tc.hdr[i+1])
				}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, b, tc.want)
			}
			if tc.want != 200 && tc.path == "/_emulator/reset" && len(s.Dump().Projects) == 0 {
				t.Errorf("a refused reset wiped the state")
			}
			if tc.want != 200 && !strings.Contains(string(b), `"detail"`) {
				t.Errorf("refusal body = %s, want a detail", b)
			}
		})
	}
	s.ClearFaults()
}

// A network client reaching a server that listens on every interface is
// not trusted because it names a loopback Host.
func TestControlRoutes_NetworkPeerNeedsTheKey(t *testing.T) {
	s := newTestServer(t)
	req := httptest.NewRequest("GET", "http://127.0.0.1:8088/_emulator/dump", nil) // RemoteAddr 192.0.2.1
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("network peer without the key: %d %s, want 401", w.Code, w.Body)
	}
	req.Header.Set("Galileo-API-Key", s.APIKey())
	w = httptest.NewRecorder()
	s.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Errorf("network peer with the key: %d %s, want 200", w.Code, w.Body)
	}
}
