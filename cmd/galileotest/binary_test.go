package main

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The recipe the README gives for CI — install the command, then run it —
// keeps the exit codes 0, 1, 2 and 3 apart (go run would turn 2 and 3 into
// 1). This builds the binary as go install does and runs it.
func TestBuiltBinary_ExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command; skipped with -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "galileotest")
	if out, err := exec.CommandContext(ctx, goCmd, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	_, env := newEmulator(t)
	closed := httptest.NewServer(nil)
	closed.Close()
	for _, tt := range []struct {
		name string
		env  vars
		args []string
		want int
	}{
		{"pass", env, []string{"run", "testdata/evals/pass.yaml"}, exitOK},
		{"threshold missed", env, []string{"run", "testdata/evals/miss.yaml"}, exitFailed},
		{"bad input", env, []string{"run", "--bogus", "testdata/evals/pass.yaml"}, exitBadInput},
		{"infrastructure", env.with("GALILEO_API_URL", closed.URL), []string{"run", "testdata/evals/pass.yaml"}, exitInfra},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(ctx, bin, tt.args...)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
			for k, v := range tt.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.CombinedOutput()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatalf("run: %v", err)
			}
			if code != tt.want {
				t.Errorf("exit code %d, want %d\n%s", code, tt.want, out)
			}
		})
	}
}
