package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/galileo-community/galileo-go/report"
)

// outputs are the report files a command writes.
type outputs struct {
	files []output
}

type output struct {
	flag   string
	path   string
	format report.Format
}

// register adds the report flags to fs.
func (o *outputs) register(fs *flagSet) {
	for _, f := range []struct {
		name   string
		format report.Format
		usage  string
	}{
		{"json", report.FormatJSON, "write the JSON report (stable schema) to `FILE`"},
		{"junit", report.FormatJUnit, "write a JUnit XML report to `FILE` for CI test views"},
		{"markdown", report.FormatMarkdown, "write a Markdown summary to `FILE`"},
		{"html", report.FormatHTML, "write a self-contained HTML report with charts to `FILE`"},
	} {
		fs.Func(f.name, f.usage, func(v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("expected a file path")
			}
			o.files = slices.DeleteFunc(o.files, func(x output) bool { return x.flag == f.name })
			o.files = append(o.files, output{flag: f.name, path: v, format: f.format})
			return nil
		})
	}
}

// check makes sure every report can be written before anything runs: its
// directory exists and takes new files, the path is not a directory, and
// no two flags name the same file.
func (o *outputs) check() error {
	seen := map[string]string{}
	for _, f := range o.files {
		abs, err := filepath.Abs(f.path)
		if err != nil {
			abs = f.path
		}
		if other, ok := seen[abs]; ok {
			return badInput("--%s and --%s both name %s; give each report its own file", other, f.flag, f.path)
		}
		seen[abs] = f.flag
		if st, err := os.Stat(f.path); err == nil && st.IsDir() {
			return badInput("--%s %s: is a directory; expected a file path", f.flag, f.path)
		}
		dir := filepath.Dir(f.path)
		st, err := os.Stat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return badInput("--%s %s: directory %s does not exist", f.flag, f.path, dir)
		case err != nil:
			return badInput("--%s %s: %s", f.flag, f.path, rootCause(err))
		case !st.IsDir():
			return badInput("--%s %s: %s is not a directory", f.flag, f.path, dir)
		}
		probe, err := os.CreateTemp(dir, ".galileotest-probe-*")
		if err != nil {
			return badInput("--%s %s: cannot create files in %s: %s", f.flag, f.path, dir, rootCause(err))
		}
		name := probe.Name()
		_ = probe.Close()
		_ = os.Remove(name)
	}
	return nil
}

// write writes every report atomically and appends the Markdown summary to
// $GITHUB_STEP_SUMMARY when it is set. A report that cannot be written is
// an error naming its flag and path (exit 2); a step summary that cannot
// be appended is a warning on stderr.
func (o *outputs) write(e *env, cmd string, rep *report.Report) error {
	var errs []error
	for _, f := range o.files {
		if err := report.WriteFile(f.path, f.format, rep); err != nil {
			errs = append(errs, badInput("--%s: %v", f.flag, err))
		}
	}
	if err := report.AppendStepSummary(rep, report.WithGetenv(e.getenv)); err != nil {
		e.errorf(cmd, "warning: %v", err)
	}
	if err := report.AnnotateGitHub(e.stdout, rep, report.WithGetenv(e.getenv)); err != nil {
		e.errorf(cmd, "warning: annotations: %v", err)
	}
	return errors.Join(errs...)
}
