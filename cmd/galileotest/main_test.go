package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRun_Dispatch(t *testing.T) {
	cases := []struct {
		args     []string
		want     int
		wantText string
	}{
		{nil, 2, "Usage: galileotest <command>"},
		{[]string{"--help"}, 0, "emulator"},
		{[]string{"nope"}, 2, `unknown command "nope"`},
		{[]string{"emulator", "--help"}, 0, "-data-dir"},
		{[]string{"emulator", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"emulator", "extra"}, 2, "unexpected arguments"},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		got := run(context.Background(), tc.args, nil, &out, &errOut, func(string) string { return "" })
		text := out.String() + errOut.String()
		if got != tc.want || !strings.Contains(text, tc.wantText) {
			t.Errorf("run(%q) = %d, output %q; want %d and %q", tc.args, got, text, tc.want, tc.wantText)
		}
	}
}

func TestRun_EmulatorServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"emulator", "--addr", "127.0.0.1:0", "--api-key", "k", "--quiet"}, nil, pw, io.Discard, func(string) string { return "" })
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var url string
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "  export GALILEO_API_URL="); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatal("the command printed no GALILEO_API_URL")
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	req, _ := http.NewRequest("GET", url+"/projects/all", nil)
	req.Header.Set("Galileo-API-Key", "k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /projects/all with the configured key: %d, want 200", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d after cancellation, want 0", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the emulator did not stop after cancellation")
	}
}

func TestWorse(t *testing.T) {
	for _, tc := range []struct{ a, b, want int }{
		{exitOK, exitInfra, exitInfra},
		{exitInfra, exitFailed, exitFailed},
		{exitFailed, exitBadInput, exitBadInput},
		{exitBadInput, exitInfra, exitBadInput},
		{exitFailed, exitOK, exitFailed},
	} {
		if got := worse(tc.a, tc.b); got != tc.want {
			t.Errorf("worse(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestFlagSet_Parse(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		operands []string
		v        bool
		n        int
	}{
		{[]string{"a", "-v", "b", "--n", "3"}, []string{"a", "b"}, true, 3},
		{[]string{"-n=2", "a"}, []string{"a"}, false, 2},
		{[]string{"a", "--", "-v", "b"}, []string{"a", "-v", "b"}, false, 0},
		{nil, nil, false, 0},
	} {
		fs := newFlagSet("x", "", "", "")
		v := fs.Bool("v", false, "")
		n := fs.Int("n", 0, "")
		ops, _, ok := fs.parse(newEnv(nil, nil, nil, func(string) string { return "" }), tc.args)
		if !ok || strings.Join(ops, " ") != strings.Join(tc.operands, " ") || *v != tc.v || *n != tc.n {
			t.Errorf("parse(%q) = %q, -v %v, -n %d; want %q, %v, %d", tc.args, ops, *v, *n, tc.operands, tc.v, tc.n)
		}
	}
}
