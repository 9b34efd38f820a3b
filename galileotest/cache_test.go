package galileotest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
)

func TestClimbPath(t *testing.T) {
	if filepath.Separator != '/' {
		t.Skip("the cases are Unix paths")
	}
	for _, tc := range []struct{ dir, target, want string }{
		{"/src/mod/pkg", "/tmp/marker", "/src/mod/pkg/../../../tmp/marker"},
		{"/src/mod/pkg/", "/home/u/.cache/m", "/src/mod/pkg/../../../home/u/.cache/m"},
		{"/", "/tmp/m", "/tmp/m"},
	} {
		got, err := climbPath(tc.dir, tc.target)
		if err != nil || got != tc.want {
			t.Errorf("climbPath(%q, %q) = %q, %v; want %q", tc.dir, tc.target, got, err, tc.want)
		}
		if !strings.HasPrefix(got, strings.TrimRight(tc.dir, "/")) || filepath.Clean(got) != tc.target {
			t.Errorf("climbPath(%q, %q) = %q: want a path that starts with the directory and cleans to the target", tc.dir, tc.target, got)
		}
	}
	if _, err := climbPath("relative", "/tmp/m"); err == nil {
		t.Error("climbPath with a relative directory: no error")
	}
}

func TestParseBoolValue(t *testing.T) {
	for in, want := range map[string]bool{"": false, "0": false, "off": false, "1": true, "TRUE": true, "yes": true} {
		if got, err := parseBoolValue(in); err != nil || got != want {
			t.Errorf("parseBoolValue(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseBoolValue("maybe"); err == nil || !strings.Contains(err.Error(), `"maybe" is not a boolean`) {
		t.Errorf("parseBoolValue(maybe) error = %v", err)
	}
}

// consumerTest is the test of the consumer package of TestGoTestCache.
const consumerTest = `package consumer

import (
	"os"
	"testing"

	"github.com/galileo-community/galileo-go/galileotest"
)

func TestEvals(t *testing.T) {
	_ = os.Getenv("GALILEOTEST_TEST_RUN") // keys go test's cache to this test run
	galileotest.RunDir(t, "testdata")
}
`

const consumerFixture = `name: consumer
dataset:
  rows:
    - {input: Paris, ground_truth: Paris}
prompt:
  messages: [{role: user, content: "{{input}}"}]
  model: echo
metrics: [correctness]
expect:
  correctness: avg >= 0.9
timeout: 30s
`

// TestGoTestCache makes a package that uses galileotest and runs its
// go test twice against a standalone emulator as the remote backend: the
// second run is not answered from go test's cache (the emulator sees a
// second experiment), unless GALILEOTEST_CACHE=1, when it is "(cached)".
func TestGoTestCache(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a module with the go command")
	}
	t.Parallel()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Options{Addr: "127.0.0.1:0", ScoringDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })

	// The consumer is a package of this module, made for the test and
	// removed after it: it needs no module but this one's dependencies,
	// which are in the module cache, so nothing is downloaded.
	pkg, err := os.MkdirTemp(root, "_zzcachetest") // "_": go vet ./... and go test ./... never see it
	if err != nil {
		t.Skipf("cannot create a package in the module (%v)", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(pkg) })
	files := map[string]string{
		"consumer_test.go":    consumerTest,
		"testdata/evals.yaml": consumerFixture,
	}
	for name, text := range files {
		p := filepath.Join(pkg, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Second)
	defer cancel()
	goTest := func(extra ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, goCmd, "test", "./"+filepath.Base(pkg))
		cmd.Dir = root
		cmd.Env = childEnv(append([]string{"GOFLAGS=-mod=readonly", "GOPROXY=off", "GOWORK=off",
			"GALILEOTEST_BACKEND=remote", "GALILEO_API_URL=" + emu.URL(), "GALILEO_API_KEY=" + emu.APIKey(),
			"GALILEO_PROJECT=consumer"}, extra...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go test in the consumer package: %v\n%s", err, out)
		}
		return string(out)
	}
	experiments := func() int { return len(emu.Dump().Experiments) }

	// The consumer reads GALILEOTEST_TEST_RUN, so that no result of an
	// earlier go test of this test is reused.
	marker := "GALILEOTEST_TEST_RUN=" + time.Now().Format(time.RFC3339Nano)
	first := goTest(marker)
	second := goTest(marker)
	if strings.Contains(first, "(cached)") || strings.Contains(second, "(cached)") || experiments() != 2 {
		t.Fatalf("remote backend: runs said %q then %q, and the emulator has %d experiments; want two real runs, 2 experiments", first, second, experiments())
	}

	optIn := []string{marker, "GALILEOTEST_CACHE=1"}
	goTest(optIn...)
	cached := goTest(optIn...)
	if !strings.Contains(cached, "(cached)") || experiments() != 3 {
		t.Errorf("GALILEOTEST_CACHE=1: second run said %q, and the emulator has %d experiments; want (cached), 3", cached, experiments())
	}
}
