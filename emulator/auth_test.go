package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestServer_Auth(t *testing.T) {
	clk := NewManualClock(time.Date(2026, 7, 30, 12, 0, 0, 0, time.UTC))
	s := newTestServer(t, Options{Clock: clk, APIKey: "secret-key"})
	anon := &apiClient{t: t, s: s, header: http.Header{}}

	h := anon.ok(http.StatusOK, "GET", "/healthcheck", nil).json(t)
	if h["message"] == "" || h["api_version"] == nil {
		t.Errorf("healthcheck = %v, want api_version, message and version", h)
	}

	tok := anon.ok(http.StatusOK, "POST", "/login/api_key", map[string]string{"api_key": "secret-key"}).json(t)
	access, _ := tok["access_token"].(string)
	if strings.Count(access, ".") != 2 || tok["token_type"] != "bearer" {
		t.Fatalf("login answer = %v, want a three-part JWT and token_type bearer", tok)
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(access, claims); err != nil {
		t.Fatalf("token does not parse: %v", err)
	}
	exp, _ := claims.GetExpirationTime()
	if want := clk.Now().Add(24 * time.Hour); exp == nil || !exp.Time.Equal(want) {
		t.Errorf("exp = %v, want 24h after the injected clock (%v)", exp, want)
	}

	cases := []struct {
		name   string
		header []string
		want   int
	}{
		{"bearer token", []string{"Authorization", "Bearer " + access}, http.StatusOK},
		{"lower-case scheme", []string{"Authorization", "bearer " + access}, http.StatusOK},
		{"Galileo-API-Key", []string{"Galileo-API-Key", "secret-key"}, http.StatusOK},
		{"Splunk-AO-API-Key", []string{"Splunk-AO-API-Key", "secret-key"}, http.StatusOK},
		{"no credentials", nil, http.StatusUnauthorized},
		{"wrong key header", []string{"Galileo-API-Key", "nope"}, http.StatusUnauthorized},
		{"garbage token", []string{"Authorization", "Bearer abc.def.ghi"}, http.StatusUnauthorized},
		{"basic scheme", []string{"Authorization", "Basic dXNlcjpwYXNz"}, http.StatusUnauthorized},
		{"forged token", []string{"Authorization", "Bearer " + forge(t, clk.Now())}, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := anon.do("GET", "/projects/all", nil, tc.header...)
			if r.status != tc.want {
				t.Fatalf("status %d, want %d (body %s)", r.status, tc.want, r.body)
			}
			if tc.want == http.StatusUnauthorized {
				if d, ok := r.json(t)["detail"].(string); !ok || d == "" {
					t.Errorf("401 body = %s, want a string detail", r.body)
				}
			}
		})
	}

	if r := anon.do("POST", "/login/api_key", map[string]string{"api_key": "wrong"}); r.status != http.StatusUnauthorized {
		t.Errorf("login with a wrong key: status %d, want 401", r.status)
	}
	r := anon.do("POST", "/login/api_key", map[string]string{}, invalidRequestHeader, "1")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"loc":["body","api_key"]`) {
		t.Errorf("login without api_key: %d %s, want 422 at body.api_key", r.status, r.body)
	}

	// Tokens stay valid for 24 hours of the injected clock, then expire.
	clk.Advance(23 * time.Hour)
	anon.ok(http.StatusOK, "GET", "/current_user", nil, "Authorization", "Bearer "+access)
	clk.Advance(2 * time.Hour)
	if r := anon.do("GET", "/current_user", nil, "Authorization", "Bearer "+access); r.status != http.StatusUnauthorized {
		t.Errorf("expired token: status %d, want 401", r.status)
	}
}

func forge(t *testing.T, now time.Time) string {
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": userID, "typ": "access", "exp": now.Add(time.Hour).Unix()}).SignedString([]byte("not the secret"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestServer_LoginFormAndRefresh(t *testing.T) {
	s := newTestServer(t)
	req, _ := http.NewRequest("POST", s.URL()+"/login", strings.NewReader("username=me&password="+s.APIKey()+"&auth_method=email"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("form login: status %d, want 200", resp.StatusCode)
	}
	var refresh *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "refresh_token" {
			refresh = c
		}
	}
	if refresh == nil {
		t.Fatal("form login set no refresh_token cookie")
	}
	req, _ = http.NewRequest("POST", s.URL()+"/refresh_token", nil)
	req.AddCookie(refresh)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("refresh: status %d, want 200", resp.StatusCode)
	}
	req, _ = http.NewRequest("POST", s.URL()+"/refresh_token", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("refresh without cookie: status %d, want 401", resp.StatusCode)
	}
}
