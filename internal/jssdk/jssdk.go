// Package jssdk installs the official Galileo JavaScript SDK (the npm
// package galileo, at the version this module is checked against) once per
// machine and runs Node.js scripts with it. The emulator's conformance
// tests and the side-by-side benchmark use it.
//
// # Quick start
//
//	sdk, err := jssdk.Ensure(ctx)
//	if errors.Is(err, jssdk.ErrNoNode) {
//		t.Skip(err)
//	}
//	cmd := sdk.Command(ctx, scriptPath) // node with the SDK on its module path
//
// The SDK is installed with npm into the user cache directory,
// os.UserCacheDir()/galileo-go/npm/galileo-<Version>, and found there by
// later runs. Processes that race to install it are safe: each installs
// into a fresh directory beside the cache entry and renames it into place;
// a rename that finds the entry already there discards its copy and uses
// the entry, which only ever holds a complete install.
package jssdk

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
	"time"
)

// Version is the release of the npm package galileo that is installed.
const Version = "1.33.1"

// Helpers is JavaScript to put before a script: it loads the SDK as g and
// defines sleep(ms) and field(obj, key), which reads a key of an SDK answer
// whatever its case and underscores (the SDK camel-cases every key of every
// answer, free-form maps included).
const Helpers = `
const g = require('galileo');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const norm = (k) => k.toLowerCase().replace(/_/g, '');
function field(obj, key) {
  if (!obj) return undefined;
  for (const k of Object.keys(obj)) if (norm(k) === norm(key)) return obj[k];
  return undefined;
}
`

// ErrNoNode is returned by Ensure when node or npm is not on the PATH.
var ErrNoNode = errors.New("node and npm are needed to run the official JavaScript SDK (npm package galileo " + Version + ")")

// ErrNotCached is returned by Ensure with Cached when the SDK is not
// installed yet.
var ErrNotCached = errors.New("the official JavaScript SDK (npm package galileo " + Version + ") is not cached yet; installing it reaches the npm registry")

// SDK is an installed copy of the SDK.
type SDK struct {
	// Node is the node binary.
	Node string
	// NodeModules is the node_modules directory that holds galileo.
	NodeModules string
}

// Option configures Ensure.
type Option func(*options)

type options struct {
	cacheRoot  string
	cachedOnly bool
}

// CacheDir installs into dir instead of os.UserCacheDir()/galileo-go/npm.
func CacheDir(dir string) Option { return func(o *options) { o.cacheRoot = dir } }

// Cached makes Ensure fail with ErrNotCached instead of installing.
func Cached() Option { return func(o *options) { o.cachedOnly = true } }

// Ensure returns the installed SDK, installing it first when it is not in
// the cache. It fails with ErrNoNode without node or npm.
func Ensure(ctx context.Context, opts ...Option) (SDK, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		return SDK{}, ErrNoNode
	}
	root := o.cacheRoot
	if root == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return SDK{}, fmt.Errorf("no user cache directory to install the JavaScript SDK into: %w", err)
		}
		root = filepath.Join(dir, "galileo-go", "npm")
	}
	entry := filepath.Join(root, "galileo-"+Version)
	sdk := SDK{Node: node, NodeModules: filepath.Join(entry, "node_modules")}
	if InstalledVersion(sdk.NodeModules) == Version {
		return sdk, nil
	}
	if o.cachedOnly {
		return SDK{}, ErrNotCached
	}
	if err := Install(ctx, npm, root, entry); err != nil {
		return SDK{}, fmt.Errorf("installing the official JavaScript SDK (npm install galileo@%s) into %s: %w", Version, entry, err)
	}
	if v := InstalledVersion(sdk.NodeModules); v != Version {
		return SDK{}, fmt.Errorf("the JavaScript SDK cached in %s is version %q, want %s: delete that directory", entry, v, Version)
	}
	return sdk, nil
}

// InstalledVersion returns the version of the galileo package below
// nodeModules, or "" when there is none.
func InstalledVersion(nodeModules string) string {
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

// Install runs npm (the binary at npm) to install the SDK into a fresh
// directory below root and renames that directory to entry. Losing the
// race to another process is success.
func Install(ctx context.Context, npm, root, entry string) error {
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
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "galileo@"+Version, "--no-audit", "--no-fund", "--no-save", "--loglevel=error")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "npm_config_cache="+filepath.Join(root, ".npm-cache"), "npm_config_update_notifier=false")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w\n%s", err, out.String())
	}
	if err := os.Rename(tmp, entry); err != nil {
		if InstalledVersion(filepath.Join(entry, "node_modules")) == Version {
			return nil // another process installed it first
		}
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s holds something other than galileo %s: delete it", entry, Version)
		}
		return err
	}
	return nil
}

// Command returns node running the script file at path with the SDK on its
// module path (NODE_PATH), in dir, with env added to the environment.
// TMPDIR is set to dir: the SDK writes a fixed temporary file during
// dataset upload, and a private directory keeps concurrent runs apart.
func (s SDK) Command(ctx context.Context, dir, path string, env ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, s.Node, path)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_PATH="+s.NodeModules, "TMPDIR="+dir, "npm_config_update_notifier=false")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}
