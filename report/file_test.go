package report

import (
	"bytes"
	"errors"
	"github.com/galileo-community/galileo-go/galileo"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// onlyFiles fails the test unless dir holds exactly the named files (no
// leftover temporary file).
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("directory holds %q, want %q", got, names)
	}
}

func TestWriteFile_formats(t *testing.T) {
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "report."+string(f))
			if err := WriteFile(path, f, sampleReport(t)); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			var want bytes.Buffer
			if err := Write(&want, f, sampleReport(t)); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("file content differs from Write's output")
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o644 {
				t.Errorf("mode = %v, want 0644", st.Mode().Perm())
			}
			onlyFiles(t, dir, "report."+string(f))
		})
	}
}

func TestWriteFile_replacesWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, bytes.Repeat([]byte("old content\n"), 10000), 0o600); err != nil {
		t.Fatal(err)
	}
	small := &Report{Backend: BackendRemote, Experiments: []Experiment{{Name: "a", Status: StatusPassed}}}
	if err := WriteFile(path, FormatJSON, small); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadJSON(f) // fails on any trailing old content
	if err != nil {
		t.Fatalf("reading the replaced file: %v", err)
	}
	if got.Backend != BackendRemote || len(got.Experiments) != 1 {
		t.Errorf("replaced file holds %+v", got)
	}
	onlyFiles(t, dir, "report.json")
}

func TestWriteFile_errors(t *testing.T) {
	nan := math.NaN()
	bad := &Report{Experiments: []Experiment{{Name: "a", Metrics: []Metric{{Name: "m", MetricAggregates: galileo.MetricAggregates{Avg: &nan}}}}}}

	t.Run("missing directory", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "no-such-dir", "report.json")
		err := WriteFile(path, FormatJSON, sampleReport(t))
		if err == nil {
			t.Fatal("WriteFile into a missing directory succeeded")
		}
		if want := "write report " + path + ": no such file or directory"; err.Error() != want {
			t.Errorf("error = %q, want %q", err, want)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("errors.Is(err, fs.ErrNotExist) = false for %v", err)
		}
		onlyFiles(t, dir)
	})

	t.Run("parent is a file", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "file", "report.xml")
		err := WriteFile(path, FormatJUnit, sampleReport(t))
		if err == nil || !strings.HasPrefix(err.Error(), "write report "+path+": ") {
			t.Errorf("error = %v, want one naming %s", err, path)
		}
		onlyFiles(t, dir, "file")
	})

	t.Run("path is a directory", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "out.html"), 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "out.html")
		err := WriteFile(path, FormatHTML, sampleReport(t))
		if want := "write report " + path + ": is a directory"; err == nil || err.Error() != want {
			t.Errorf("error = %v, want %q", err, want)
		}
		onlyFiles(t, dir, "out.html")
	})

	t.Run("report that cannot be written keeps the old file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "report.json")
		if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := WriteFile(path, FormatJSON, bad)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "avg is NaN") {
			t.Errorf("error = %v, want one naming %s and the NaN", err, path)
		}
		if got, _ := os.ReadFile(path); string(got) != "previous" {
			t.Errorf("file = %q after a failed write, want the previous content", got)
		}
		onlyFiles(t, dir, "report.json")
	})

	t.Run("unknown format", func(t *testing.T) {
		dir := t.TempDir()
		err := WriteFile(filepath.Join(dir, "r.txt"), Format("txt"), sampleReport(t))
		if err == nil || !strings.Contains(err.Error(), `unknown format "txt"; expected json, junit, markdown or html`) {
			t.Errorf("error = %v", err)
		}
		onlyFiles(t, dir)
	})
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
	}{
		{"json", FormatJSON}, {"JUnit", FormatJUnit}, {"xml", FormatJUnit}, {"md", FormatMarkdown},
		{" markdown ", FormatMarkdown}, {"HTML", FormatHTML},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseFormat("yaml"); err == nil || !strings.Contains(err.Error(), `unknown format "yaml"`) {
		t.Errorf("ParseFormat(yaml) error = %v", err)
	}
}

func TestFormatForPath(t *testing.T) {
	tests := []struct {
		path string
		want Format
		ok   bool
	}{
		{"out/report.json", FormatJSON, true}, {"junit.XML", FormatJUnit, true}, {"summary.md", FormatMarkdown, true},
		{"s.markdown", FormatMarkdown, true}, {"r.html", FormatHTML, true}, {"r.htm", FormatHTML, true},
		{"report", "", false}, {"r.txt", "", false},
	}
	for _, tt := range tests {
		got, ok := FormatForPath(tt.path)
		if got != tt.want || ok != tt.ok {
			t.Errorf("FormatForPath(%q) = %q, %t; want %q, %t", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}
