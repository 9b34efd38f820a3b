package jssdk

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestInstall_Race installs with a stand-in npm from several goroutines at
// once: every install succeeds, the cache entry holds one complete install
// and no temporary directory is left behind.
func TestInstall_Race(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("skipped: the stand-in npm is a shell script")
	}
	dir := t.TempDir()
	npm := filepath.Join(dir, "npm")
	fake := "#!/bin/sh\nsleep 0.1\nmkdir -p node_modules/galileo\nprintf '{\"version\":\"" + Version + "\"}' > node_modules/galileo/package.json\n"
	if err := os.WriteFile(npm, []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "cache")
	entry := filepath.Join(root, "galileo-"+Version)
	errs := make(chan error, 4)
	for range 4 {
		go func() { errs <- Install(context.Background(), npm, root, entry) }()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent install: %v", err)
		}
	}
	if v := InstalledVersion(filepath.Join(entry, "node_modules")); v != Version {
		t.Errorf("cached version %q, want %s", v, Version)
	}
	left, _ := filepath.Glob(filepath.Join(root, ".install-*"))
	if len(left) != 0 {
		t.Errorf("temporary install directories left behind: %v", left)
	}
}

// TestEnsure_CachedOnly reports ErrNotCached for an empty cache instead of
// installing.
func TestEnsure_CachedOnly(t *testing.T) {
	_, err := Ensure(context.Background(), CacheDir(t.TempDir()), Cached())
	if err != ErrNotCached && err != ErrNoNode {
		t.Errorf("Ensure on an empty cache with Cached: %v, want ErrNotCached (or ErrNoNode without node)", err)
	}
}
