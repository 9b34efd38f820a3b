package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Format names one of the report's written forms.
type Format string

// The formats WriteFile and Write know.
const (
	FormatJSON     Format = "json"     // WriteJSON
	FormatJUnit    Format = "junit"    // WriteJUnit
	FormatMarkdown Format = "markdown" // WriteMarkdown
	FormatHTML     Format = "html"     // WriteHTML
)

// Formats lists every format, in a fixed order.
func Formats() []Format {
	return []Format{FormatJSON, FormatJUnit, FormatMarkdown, FormatHTML}
}

// ParseFormat returns the format with the given name: json, junit (or
// xml), markdown (or md) or html, in any case.
func ParseFormat(name string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "json":
		return FormatJSON, nil
	case "junit", "xml":
		return FormatJUnit, nil
	case "markdown", "md":
		return FormatMarkdown, nil
	case "html":
		return FormatHTML, nil
	}
	return "", fmt.Errorf("report: unknown format %q; expected json, junit, markdown or html", name)
}

// FormatForPath returns the format a file name's extension implies: .json,
// .xml (JUnit), .md or .markdown, and .html or .htm. It reports false for
// any other extension.
func FormatForPath(path string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return FormatJSON, true
	case ".xml":
		return FormatJUnit, true
	case ".md", ".markdown":
		return FormatMarkdown, true
	case ".html", ".htm":
		return FormatHTML, true
	}
	return "", false
}

// Write writes the report to w in the given format.
func Write(w io.Writer, format Format, r *Report) error {
	switch format {
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatJUnit:
		return WriteJUnit(w, r)
	case FormatMarkdown:
		return WriteMarkdown(w, r)
	case FormatHTML:
		return WriteHTML(w, r)
	}
	return fmt.Errorf("report: unknown format %q; expected json, junit, markdown or html", string(format))
}

// WriteFile writes the report to the file at path in the given format,
// atomically: the report is rendered in full first, written to a
// temporary file in the same directory, synced and renamed over path, so
// that readers see either the old file or the complete new one, never a
// part. The file gets mode 0644. The directory must exist. A symbolic link
// at path is replaced by the file, not followed.
//
// Any failure is one error naming path (a *fs.PathError with Op "write
// report" when the file system refused), and leaves no temporary file
// behind.
func WriteFile(path string, format Format, r *Report) error {
	var buf bytes.Buffer
	if err := Write(&buf, format, r); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := writeAtomic(path, buf.Bytes()); err != nil {
		return &fs.PathError{Op: "write report", Path: path, Err: cause(err)}
	}
	return nil
}

// cause strips the file system's own path (that of the temporary file)
// from err, so that the error names only the report's path.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

func writeAtomic(path string, data []byte) (err error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return errors.New("is a directory")
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable where the platform allows syncing a
// directory; elsewhere it does nothing.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
