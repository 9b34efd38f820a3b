package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestListenURLs(t *testing.T) {
	cases := []struct {
		in, local, bound, warning string
	}{
		{"http://127.0.0.1:8088", "http://127.0.0.1:8088", "", ""},
		{"http://[::1]:8088", "http://[::1]:8088", "", ""},
		{"http://[::]:8088", "http://127.0.0.1:8088", "[::]:8088 (every network interface)", "listening on every network interface ([::]:8088)"},
		{"http://0.0.0.0:9", "http://127.0.0.1:9", "0.0.0.0:9 (every network interface)", "listening on every network interface (0.0.0.0:9)"},
		{"http://192.168.1.5:8088", "http://192.168.1.5:8088", "", "listening on 192.168.1.5:8088, which is not a loopback address"},
	}
	for _, tc := range cases {
		local, bound, warning := listenURLs(tc.in)
		if local != tc.local || bound != tc.bound || !strings.HasPrefix(warning, tc.warning) || (tc.warning == "") != (warning == "") {
			t.Errorf("listenURLs(%q) = %q, %q, %q; want %q, %q and a warning starting %q", tc.in, local, bound, warning, tc.local, tc.bound, tc.warning)
		}
		if warning != "" && (!strings.Contains(warning, "control routes") || !strings.Contains(warning, "--addr 127.0.0.1:PORT")) {
			t.Errorf("warning %q does not say what is exposed and how to avoid it", warning)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// servedEmulator is a running `galileotest emulator`.
type servedEmulator struct {
	url    string
	banner string // stdout up to and including the API key line
	stderr *lockedBuffer
}

// serveEmulator runs `galileotest emulator args...` until the test ends.
func serveEmulator(t *testing.T, args ...string) servedEmulator {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	errOut := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"emulator"}, args...), nil, pw, errOut, func(string) string { return "" })
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("galileotest emulator exited %d; stderr:\n%s", code, errOut)
			}
		case <-time.After(15 * time.Second):
			t.Error("galileotest emulator did not stop within 15s of the cancel")
		}
	})
	var e servedEmulator
	var banner strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if u, ok := strings.CutPrefix(sc.Text(), "  export GALILEO_API_URL="); ok {
			e.url = u
		}
		if strings.Contains(sc.Text(), "GALILEO_API_KEY") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if e.url == "" {
		t.Fatalf("the command printed no GALILEO_API_URL; stdout:\n%s\nstderr:\n%s", banner.String(), errOut)
	}
	e.banner, e.stderr = banner.String(), errOut
	return e
}

// post sends a JSON POST with the API key and returns status and body.
func (e servedEmulator) post(t *testing.T, key, path string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", e.url+path, bytes.NewReader(b))
	req.Header.Set("Galileo-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestEmulator_Banner(t *testing.T) {
	t.Run("default key", func(t *testing.T) {
		e := serveEmulator(t, "--addr", "127.0.0.1:0", "--quiet")
		if !strings.Contains(e.banner, "  export GALILEO_API_KEY=emulator-key\n") || strings.Contains(e.banner, "<the --api-key value>") {
			t.Errorf("banner does not give the usable key line:\n%s", e.banner)
		}
		if !strings.HasPrefix(e.url, "http://127.0.0.1:") {
			t.Errorf("GALILEO_API_URL = %q, want a loopback URL", e.url)
		}
		if strings.Contains(e.stderr.String(), "WARNING") {
			t.Errorf("a loopback bind warned:\n%s", e.stderr)
		}
	})
	t.Run("custom key is not printed", func(t *testing.T) {
		e := serveEmulator(t, "--addr", "127.0.0.1:0", "--api-key", "s3cret-key", "--quiet")
		if strings.Contains(e.banner, "s3cret-key") || !strings.Contains(e.banner, "GALILEO_API_KEY set to the value of --api-key") {
			t.Errorf("banner with a custom key:\n%s", e.banner)
		}
	})
}

func TestEmulator_DuplicateNamesFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, http.StatusOK},
		{[]string{"--duplicate-names", "allow"}, http.StatusOK},
		{[]string{"--duplicate-names", "reject"}, http.StatusConflict},
	} {
		t.Run(strings.Join(append([]string{"flags"}, tc.args...), " "), func(t *testing.T) {
			e := serveEmulator(t, append([]string{"--addr", "127.0.0.1:0", "--quiet"}, tc.args...)...)
			st, p := e.post(t, "emulator-key", "/projects", map[string]string{"name": "p"})
			if st != http.StatusOK {
				t.Fatalf("create project: %d %v", st, p)
			}
			path := "/projects/" + p["id"].(string) + "/experiments"
			if st, b := e.post(t, "emulator-key", path, map[string]any{"name": "nightly", "task_type": 16}); st != http.StatusOK {
				t.Fatalf("first create: %d %v", st, b)
			}
			if st, b := e.post(t, "emulator-key", path, map[string]any{"name": "nightly", "task_type": 16}); st != tc.want {
				t.Errorf("second create of the same name: %d %v, want %d", st, b, tc.want)
			}
		})
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"emulator", "--duplicate-names", "sometimes"}, nil, &out, &errOut, func(string) string { return "" }); code != 2 ||
		!strings.Contains(errOut.String(), `galileotest emulator: --duplicate-names: duplicate names rule "sometimes" is not one of allow, reject`) {
		t.Errorf("bad --duplicate-names: exit %d, stderr %q; want 2 and the allowed values", code, errOut.String())
	}
}

func TestEmulator_StartupErrorsHaveOnePrefix(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "wal.jsonl"), []byte("not json\n{\"op\":\"put\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"address in use", []string{"--addr", busy.Addr().String()}, "galileotest emulator: listen on " + busy.Addr().String() + ": "},
		{"corrupt log", []string{"--addr", "127.0.0.1:0", "--data-dir", dir},
			"galileotest emulator: data directory: " + filepath.Join(dir, "wal.jsonl") + ": line 1 (byte offset 0): corrupt record"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"emulator", "--quiet"}, tc.args...), nil, &out, &errOut, func(string) string { return "" })
			if code != 3 || !strings.HasPrefix(errOut.String(), tc.want) || strings.Contains(errOut.String(), "emulator: emulator:") {
				t.Errorf("exit %d, stderr %q; want 3 and a line starting %q", code, errOut.String(), tc.want)
			}
		})
	}
}
