package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// jsSDKVersion is the official JavaScript SDK release (npm package galileo)
// the emulator is checked and benchmarked against.
const jsSDKVersion = "1.33.1"

// jsSDK is an installed copy of the official JavaScript SDK.
type jsSDK struct {
	node        string // the node binary
	nodeModules string // the node_modules directory holding galileo
}

// needJSSDK returns the official JavaScript SDK, installing it on first use
// into the user cache directory (os.UserCacheDir()/galileo-go/npm/galileo-<version>),
// where later test runs find it. It skips tb without node and npm, and in
// -short mode when the SDK is not cached yet (installing reaches the npm
// registry).
//
// Installs are safe when test processes race: each installs into a fresh
// directory beside the cache entry and renames it into place; a rename that
// finds the entry already there discards its copy and uses the entry, which
// only ever holds a complete install.
func needJSSDK(tb testing.TB) jsSDK {
	tb.Helper()
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		tb.Skip("skipped: node and npm are needed to run the official JavaScript SDK (npm package galileo " + jsSDKVersion + ") against the emulator")
	}
	root, err := os.UserCacheDir()
	if err != nil {
		tb.Logf("no user cache directory (%v): installing the JavaScript SDK into a temporary directory", err)
		root = tb.TempDir()
	}
	root = filepath.Join(root, "galileo-go", "npm")
	entry := filepath.Join(root, "galileo-"+jsSDKVersion)
	sdk := jsSDK{node: node, nodeModules: filepath.Join(entry, "node_modules")}
	if installedVersion(sdk.nodeModules) == jsSDKVersion {
		return sdk
	}
	if testing.Short() {
		tb.Skip("skipped in -short mode: the official JavaScript SDK is not cached yet and installing it reaches the npm registry")
	}
	if err := installJSSDK(npm, root, entry); err != nil {
		tb.Fatalf("installing the official JavaScript SDK (npm install galileo@%s) into %s: %v", jsSDKVersion, entry, err)
	}
	if v := installedVersion(sdk.nodeModules); v != jsSDKVersion {
		tb.Fatalf("the JavaScript SDK cached in %s is version %q, want %s: delete that directory", entry, v, jsSDKVersion)
	}
	return sdk
}

// installedVersion returns the version of the galileo package below
// nodeModules, or "" when there is none.
func installedVersion(nodeModules string) string {
	b, err := os.ReadFile(filepath.Join(nodeModules, "galileo", "package.json"))
	if err != nil {
		return ""
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(b, &pkg) != nil {
		return ""
	}
	return pkg.Version
}

// installJSSDK installs the pinned SDK into a fresh directory below root and
// renames it to entry. Losing the race to another process is success.
func installJSSDK(npm, root, entry string) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(root, ".install-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // after a successful rename there is nothing left to remove
	if err := os.WriteFile(filepath.Join(tmp, "package.json"), []byte(`{"name":"galileo-go-js-sdk","private":true}`), 0o644); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "galileo@"+jsSDKVersion, "--no-audit", "--no-fund", "--no-save", "--loglevel=error")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "npm_config_cache="+filepath.Join(root, ".npm-cache"), "npm_config_update_notifier=false")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w\n%s", err, out.String())
	}
	if err := os.Rename(tmp, entry); err != nil {
		if installedVersion(filepath.Join(entry, "node_modules")) == jsSDKVersion {
			return nil // another process installed it first
		}
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s holds something other than galileo %s: delete it", entry, jsSDKVersion)
		}
		return err
	}
	return nil
}

// command returns node running script (written to a temporary directory)
// with the SDK on its module path and env added to the environment.
func (j jsSDK) command(tb testing.TB, ctx context.Context, script string, env ...string) *exec.Cmd {
	tb.Helper()
	dir := tb.TempDir()
	path := filepath.Join(dir, "script.js")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, j.node, path)
	cmd.Dir = dir
	// The SDK writes a fixed temporary file during dataset upload; a private
	// TMPDIR keeps concurrent runs apart.
	cmd.Env = append(os.Environ(), "NODE_PATH="+j.nodeModules, "TMPDIR="+dir, "npm_config_update_notifier=false")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// TestInstallJSSDK_Race installs with a stand-in npm from several goroutines
// at once: every install succeeds, the cache entry holds one complete
// install and no temporary directory is left behind.
func TestInstallJSSDK_Race(t *testing.T) {
	dir := t.TempDir()
	npm := filepath.Join(dir, "npm")
	fake := "#!/bin/sh\nsleep 0.1\nmkdir -p node_modules/galileo\nprintf '{\"version\":\"" + jsSDKVersion + "\"}' > node_modules/galileo/package.json\n"
	if err := os.WriteFile(npm, []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("skipped: the stand-in npm is a shell script")
	}
	root := filepath.Join(dir, "cache")
	entry := filepath.Join(root, "galileo-"+jsSDKVersion)
	errs := make(chan error, 4)
	for range 4 {
		go func() { errs <- installJSSDK(npm, root, entry) }()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent install: %v", err)
		}
	}
	if v := installedVersion(filepath.Join(entry, "node_modules")); v != jsSDKVersion {
		t.Errorf("cached version %q, want %s", v, jsSDKVersion)
	}
	left, _ := filepath.Glob(filepath.Join(root, ".install-*"))
	if len(left) != 0 {
		t.Errorf("temporary install directories left behind: %v", left)
	}
}
