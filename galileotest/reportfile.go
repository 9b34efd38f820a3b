package galileotest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/galileo-community/galileo-go/report"
)

// writeReportPath writes rep where GALILEOTEST_REPORT=p says: into the
// file p, merged with what the other writers of the same run put there
// (report.MergeJSONFile); or, when p is an existing directory or ends in a
// path separator, to <p>/<test name>.json, one file per test. It returns
// the path written.
func writeReportPath(ctx context.Context, p, testName string, rep *report.Report) (string, error) {
	if info, err := os.Stat(p); (err == nil && info.IsDir()) || strings.HasSuffix(p, string(os.PathSeparator)) || strings.HasSuffix(p, "/") {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return "", err
		}
		out := filepath.Join(p, sanitizeFile(testName)+".json")
		return out, report.WriteFile(out, report.FormatJSON, rep)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return p, report.MergeJSONFile(ctx, p, rep)
}

// processRunID identifies the go test invocation this process belongs to:
// the test binaries of one go test command share their parent process, the
// go command. On Linux the parent's start time is part of it, so that a
// reused process id does not merge two runs.
var processRunID = sync.OnceValue(func() string {
	ppid := os.Getppid()
	id := fmt.Sprintf("go-test-%d", ppid)
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", ppid)); err == nil {
		// Fields after the command name (which may hold spaces) start
		// after the last ')'; the start time is field 22 overall.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 {
			if f := strings.Fields(string(stat[i+1:])); len(f) > 19 {
				id += "-" + f[19]
			}
		}
	}
	return id
})

// sanitizeFile turns a test name into a file name.
func sanitizeFile(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "report"
	}
	return b.String()
}

// maxRowErrorsKept bounds the row errors a report keeps.
const maxRowErrorsKept = 20
