package galileotest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/galileo-community/galileo-go/config"
)

// envCache lets go test reuse a cached result of a run against Galileo.
const envCache = "GALILEOTEST_CACHE"

// go test caches a passing package's result and replays it while the
// environment variables the test read and the files it opened are
// unchanged. A run against Galileo depends on neither, so by default the
// harness keeps go test from caching it. How, from
// cmd/go/internal/test (computeTestInputsID, hashOpen; Go 1.10 to 1.26):
// files outside the package's module are not looked at, a file that was
// removed is "missing" again on the next run (a match), but a regular file
// in the module whose mtime is less than 2s old when the result is saved
// makes the result not cacheable at all. The module check is on the path's
// text. So the harness opens a marker file with an mtime in the future
// through a path that starts with the working directory (the package's
// directory, inside its module) and climbs out of it with "..".

// uncacheable is the outcome of markUncacheable, done once per process.
var uncacheable struct {
	once sync.Once
	err  error
}

// preventCachedResult keeps go test from caching this process's result
// when h talks to Galileo, unless GALILEOTEST_CACHE is true. The
// in-process emulator is deterministic; its runs stay cacheable, as do
// those of a client given with WithClient for a loopback address.
func (h *Harness) preventCachedResult() {
	h.tb.Helper()
	if h.r.s.client != nil && isLoopback(h.r.s.client.BaseURL()) ||
		h.r.s.client == nil && h.r.backend != config.BackendRemote {
		return
	}
	v := strings.TrimSpace(h.getenv(envCache))
	allow, err := parseBoolValue(v)
	if err != nil {
		h.tb.Fatalf("galileotest: %s: %v", envCache, err)
		return
	}
	if allow {
		return
	}
	uncacheable.once.Do(func() { uncacheable.err = markUncacheable(time.Now()) })
	if err := uncacheable.err; err != nil {
		h.tb.Logf("galileotest: go test may cache this run against Galileo (%v); pass -count=1 to be sure it runs", err)
	}
}

// parseBoolValue accepts what package config accepts for booleans; blank
// is false.
func parseBoolValue(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "0", "f", "false", "n", "no", "off":
		return false, nil
	case "1", "t", "true", "y", "yes", "on":
		return true, nil
	}
	return false, fmt.Errorf("%q is not a boolean (expected true or false, 1 or 0, yes or no, on or off)", v)
}

// markUncacheable opens the marker file (see above), making it first
// when it is missing or its mtime is less than a day ahead of now.
func markUncacheable(now time.Time) error {
	marker, err := markerPath()
	if err != nil {
		return err
	}
	if st, err := os.Lstat(marker); err != nil || !st.Mode().IsRegular() || st.ModTime().Before(now.Add(24*time.Hour)) {
		if err == nil && !st.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file", marker)
		}
		f, err := os.OpenFile(marker, os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		_ = f.Close()
		if err := os.Chtimes(marker, now, now.AddDate(1, 0, 0)); err != nil {
			return err
		}
	}
	wd, err := os.Getwd()
	if err == nil {
		wd, err = filepath.EvalSymlinks(wd) // so that ".." climbs the real tree
	}
	if err != nil {
		return err
	}
	path, err := climbPath(wd, marker)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// markerPath is the marker file: in the user's cache directory, else in
// the temporary directory with the user id in its name.
func markerPath() (string, error) {
	if dir, err := os.UserCacheDir(); err == nil {
		dir = filepath.Join(dir, "galileotest")
		if err := os.MkdirAll(dir, 0o700); err == nil {
			return filepath.Join(dir, "uncached-result-marker"), nil
		}
	}
	return filepath.Join(os.TempDir(), "galileotest-uncached-result-marker-"+strconv.Itoa(os.Getuid())), nil
}

// climbPath returns target (absolute) as a path that starts with dir
// (absolute) and climbs to the root with "..", such as
// /src/pkg/../../tmp/marker.
func climbPath(dir, target string) (string, error) {
	vol := filepath.VolumeName(dir)
	if !filepath.IsAbs(dir) || !filepath.IsAbs(target) || !strings.EqualFold(vol, filepath.VolumeName(target)) {
		return "", errors.New("the working directory and the marker file are not on one volume")
	}
	sep := string(filepath.Separator)
	depth := 0
	for _, elem := range strings.Split(strings.Trim(dir[len(vol):], sep), sep) {
		if elem != "" {
			depth++
		}
	}
	rest := strings.TrimLeft(target[len(filepath.VolumeName(target)):], sep)
	return strings.TrimRight(dir, sep) + sep + strings.Repeat(".."+sep, depth) + rest, nil
}
