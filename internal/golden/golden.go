// Package golden compares test output with golden files under
// testdata/golden, the way every package of this module checks its
// messages and reports, and rewrites them on request.
//
// Quick start, in a test file:
//
//	var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")
//
//	func TestMessage(t *testing.T) {
//		golden.Check(t, "message.golden", render(), *update)
//	}
package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// Check compares got with testdata/golden/name. With update it rewrites
// the file instead; otherwise a difference fails t with both texts, and a
// missing file says how to create it.
func Check(t testing.TB, name, got string, update bool) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update to accept it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
