package emulator

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/galileo-community/galileo-go/internal/jssdk"
)

// needJSSDK returns the official JavaScript SDK, installed on first use into
// the user cache directory (see package jssdk). It skips tb without node
// and npm, and in -short mode when the SDK is not cached yet (installing it
// reaches the npm registry).
func needJSSDK(tb testing.TB) jsSDK {
	tb.Helper()
	var opts []jssdk.Option
	if testing.Short() {
		opts = append(opts, jssdk.Cached())
	}
	sdk, err := jssdk.Ensure(context.Background(), opts...)
	switch {
	case errors.Is(err, jssdk.ErrNoNode), errors.Is(err, jssdk.ErrNotCached):
		tb.Skipf("skipped: %v", err)
	case err != nil:
		tb.Fatal(err)
	}
	return jsSDK{sdk}
}

// jsSDK runs test scripts with the official JavaScript SDK.
type jsSDK struct{ jssdk.SDK }

// command returns node running script (written to a temporary directory)
// with the SDK on its module path and env added to the environment.
func (j jsSDK) command(tb testing.TB, ctx context.Context, script string, env ...string) *exec.Cmd {
	tb.Helper()
	dir := tb.TempDir()
	path := filepath.Join(dir, "script.js")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		tb.Fatal(err)
	}
	return j.Command(ctx, dir, path, env...)
}
