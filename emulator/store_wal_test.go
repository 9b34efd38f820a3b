package emulator

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// storeWithProjects creates n projects in a fresh data directory, closes
// the server and returns the directory and the project ids in order.
func storeWithProjects(t *testing.T, n int, opts Options) (string, []string) {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	s, err := NewUnstarted(opts)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, n)
	base := len(s.Dump().Projects)
	for i := range n {
		p, err := s.CreateProject(fmt.Sprintf("p%d", base+i))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return opts.DataDir, ids
}

// editWAL replaces line (1-based) of the data directory's log with repl
// (without its newline) and returns the byte offset of that line.
func editWAL(t *testing.T, dir string, line int, repl string) int {
	t.Helper()
	path := filepath.Join(dir, walName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	off := len(strings.Join(lines[:line-1], ""))
	lines[line-1] = repl + "\n"
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	return off
}

func TestStore_CorruptMiddleRecordFailsStartup(t *testing.T) {
	dir, _ := storeWithProjects(t, 10, Options{Seed: 1})
	off := editWAL(t, dir, 3, `{"op":"put","kind":"project","value":{"id":`)
	s, err := NewUnstarted(Options{Seed: 1, DataDir: dir})
	if err == nil {
		n := len(s.Dump().Projects)
		s.Close()
		t.Fatalf("startup over a log with a corrupt 3rd of 10 records succeeded with %d projects; want an error", n)
	}
	for _, want := range []string{filepath.Join(dir, walName), "line 3", fmt.Sprintf("byte offset %d", off), "corrupt record", "unexpected end of JSON input"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// Nothing was truncated: the other records are still there to repair.
	b, _ := os.ReadFile(filepath.Join(dir, walName))
	if n := strings.Count(string(b), "\n"); n != 10 {
		t.Errorf("the log has %d lines after the failed start, want all 10 kept", n)
	}
}

func TestStore_TornLastRecordIsDroppedWithAWarning(t *testing.T) {
	cases := []struct {
		name string
		tail string // appended to a log of 3 good records
	}{
		{"partial line", `{"op":"put","kind":"project","value":{"id":"torn`},
		{"partial line and newline", `{"op":"put","kind":"pro` + "\n"},
		{"garbage then blank lines", "\x00\x00\x00\n\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, ids := storeWithProjects(t, 3, Options{Seed: 1})
			f, err := os.OpenFile(filepath.Join(dir, walName), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(tc.tail); err != nil {
				t.Fatal(err)
			}
			f.Close()
			var logged bytes.Buffer
			s, err := NewUnstarted(Options{Seed: 1, DataDir: dir, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
			if err != nil {
				t.Fatalf("a torn last record must not stop the start: %v", err)
			}
			defer s.Close()
			if got := len(s.Dump().Projects); got != len(ids) {
				t.Errorf("%d projects after the restart, want %d", got, len(ids))
			}
			for _, want := range []string{"level=WARN", "torn last record", walName, "line=4"} {
				if !strings.Contains(logged.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, logged.String())
				}
			}
		})
	}
}

func TestStore_SeededIDsNeverCollideAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	var all []string
	for session := range 4 {
		_, ids := storeWithProjects(t, 2, Options{Seed: 7, DataDir: dir})
		all = append(all, ids...)
		s, err := NewUnstarted(Options{Seed: 7, DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, p := range s.Dump().Projects {
			got[p.ID] = true
		}
		s.Close()
		if len(got) != len(all) {
			t.Fatalf("after session %d: %d projects stored, want %d (ids %v): a new project overwrote an acknowledged one", session, len(got), len(all), all)
		}
	}
	// A fresh emulator with a seed stays deterministic, with or without a
	// (still empty) data directory.
	_, a := storeWithProjects(t, 2, Options{Seed: 7})
	_, b := storeWithProjects(t, 2, Options{Seed: 7})
	mem := NewTest(t, Options{Seed: 7})
	c, err := mem.CreateProject("p0")
	if err != nil {
		t.Fatal(err)
	}
	if a[0] != b[0] || a[1] != b[1] || c.ID != a[0] {
		t.Errorf("fresh servers with seed 7 made ids %v, %v and %s; want the same", a, b, c.ID)
	}
}
