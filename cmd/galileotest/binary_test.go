package main

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// asCommandEnv makes the test binary run as the galileotest command: its
// TestMain calls main, which exits with the command's exit code. With the
// value quickRetry it runs the command as main does but with the short
// retry policy of the in-process tests, for cases that only check what
// happens once the retries are spent.
const asCommandEnv = "GALILEOTEST_TEST_AS_COMMAND"

const quickRetry = "quick-retry"

func TestMain(m *testing.M) {
	switch os.Getenv(asCommandEnv) {
	case "1":
		main()
	case quickRetry:
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		e := newEnv(os.Stdin, os.Stdout, os.Stderr, nil)
		e.clientOpts = testClientOpts()
		code := dispatch(ctx, e, os.Args[1:])
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// The recipe the README gives for CI — install the command, then run it —
// keeps the exit codes 0, 1, 2 and 3 apart (go run would turn 2 and 3 into
// 1). This runs the command as a process of its own, as an installed
// binary runs: main and its os.Exit, from this test binary (which saves a
// go build).
func TestBuiltBinary_ExitCodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	bin := os.Args[0]
	_, env := newEmulator(t)
	closed := httptest.NewServer(nil)
	closed.Close()
	for _, tt := range []struct {
		name string
		env  vars
		args []string
		want int
		as   string // value of asCommandEnv
	}{
		{"pass", env, []string{"run", "testdata/evals/pass.yaml"}, exitOK, "1"},
		{"threshold missed", env, []string{"run", "testdata/evals/miss.yaml"}, exitFailed, "1"},
		{"bad input", env, []string{"run", "--bogus", "testdata/evals/pass.yaml"}, exitBadInput, "1"},
		// The default policy would retry the refused connection for seconds.
		{"infrastructure", env.with("GALILEO_API_URL", closed.URL), []string{"run", "testdata/evals/pass.yaml"}, exitInfra, quickRetry},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(ctx, bin, tt.args...)
			// Built with -race, the command would sleep a second before it exits.
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), asCommandEnv + "=" + tt.as,
				"GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")}
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
