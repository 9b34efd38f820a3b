package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/galileo-community/galileo-go/fixtures"
)

// fixtureFile is one loaded fixture file, or the problem with a path.
type fixtureFile struct {
	Path        string
	Experiments []fixtures.Experiment
	Err         error
}

// loadFixtures loads every path: a fixture file, a directory (its *.yaml
// and *.yml files), or dir/... (that directory and every directory below
// it, skipping those whose name starts with "." or "_" and testdata). A
// file named twice is loaded once. Problems are reported per file, so one
// broken fixture does not hide the others.
func loadFixtures(paths []string) []fixtureFile {
	files, _ := loadFixturesNotes(paths)
	return files
}

// loadFixturesNotes is loadFixtures that also returns one note per
// testdata directory that a dir/... walk skipped although fixture files
// lie in it or below, for the caller to print: the skipping follows go's
// own ./... rule, but a fixture left out without a word looks like one
// that passed.
func loadFixturesNotes(paths []string) ([]fixtureFile, []string) {
	var out []fixtureFile
	var notes []string
	seen := map[string]bool{}
	add := func(f fixtureFile) {
		key := f.Path
		if abs, err := filepath.Abs(f.Path); err == nil {
			key = abs
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, f)
	}
	addDir := func(dir string) bool {
		files, err := fixtures.LoadOSDir(dir)
		if len(files) == 0 {
			if err == nil {
				err = &fixtures.Error{File: dir, Msg: "no fixture files (*.yaml, *.yml) in this directory"}
			}
			add(fixtureFile{Path: dir, Err: err})
			return false
		}
		for _, f := range files {
			add(fixtureFile{Path: f.Path, Experiments: f.Experiments, Err: f.Err})
		}
		return true
	}
	for _, p := range paths {
		if root, ok := strings.CutSuffix(filepath.ToSlash(p), "/..."); ok || p == "..." {
			if p == "..." {
				root = "."
			}
			root = filepath.FromSlash(root)
			if st, err := os.Stat(root); err != nil || !st.IsDir() {
				add(fixtureFile{Path: p, Err: &fixtures.Error{File: p, Msg: "no such directory"}})
				continue
			}
			var dirs []string
			_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err != nil || !d.IsDir() {
					return nil
				}
				name := d.Name()
				if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
					if name == "testdata" {
						if n := skippedTestdataNote(path); n != "" {
							notes = append(notes, n)
						}
					}
					return filepath.SkipDir
				}
				if hasFixtures(path) {
					dirs = append(dirs, path)
				}
				return nil
			})
			if len(dirs) == 0 {
				add(fixtureFile{Path: p, Err: &fixtures.Error{File: p, Msg: "no fixture files (*.yaml, *.yml) in this directory or below"}})
			}
			for _, d := range dirs {
				addDir(d)
			}
			continue
		}
		st, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			add(fixtureFile{Path: p, Err: &fixtures.Error{File: p, Msg: "no such file or directory"}})
		case err != nil:
			add(fixtureFile{Path: p, Err: &fixtures.Error{File: p, Msg: "cannot read: " + rootCause(err)}})
		case st.IsDir():
			addDir(p)
		default:
			exps, err := fixtures.LoadFile(p)
			add(fixtureFile{Path: p, Experiments: exps, Err: err})
		}
	}
	return out, notes
}

// skippedTestdataNote describes the fixture directories at or below dir, a
// testdata directory a dir/... walk skipped, and how to include them; ""
// when there are none. Below dir, directories whose name starts with "."
// or "_" are not looked into, as dir/... would not look into them.
func skippedTestdataNote(dir string) string {
	var held []string
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if path != dir && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
			return filepath.SkipDir
		}
		if hasFixtures(path) {
			held = append(held, path)
		}
		return nil
	})
	all := filepath.ToSlash(dir) + "/..."
	switch len(held) {
	case 0:
		return ""
	case 1:
		one := filepath.ToSlash(held[0])
		return fmt.Sprintf("skipped %s (testdata is skipped by DIR/...; pass %s or %s to include it)", one, one, all)
	default:
		return fmt.Sprintf("skipped %d fixture directories in %s (testdata is skipped by DIR/...; pass %s to include them)", len(held), filepath.ToSlash(dir), all)
	}
}

// hasFixtures reports whether dir directly holds a *.yaml or *.yml file.
func hasFixtures(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(entries, func(d fs.DirEntry) bool {
		ext := strings.ToLower(filepath.Ext(d.Name()))
		return !d.IsDir() && (ext == ".yaml" || ext == ".yml")
	})
}

// rootCause is err's text without the *fs.PathError wrapper, whose path
// the caller already prints.
func rootCause(err error) string {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
