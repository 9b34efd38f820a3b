package report

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxAnnotations is the most ::error lines WriteAnnotations writes, the
// summary line included: GitHub shows at most 10 error annotations per
// step and drops the rest.
const MaxAnnotations = 10

// maxAnnotationMessage bounds the message of one annotation, in bytes.
const maxAnnotationMessage = 4 << 10

// annotation is one problem, as a GitHub workflow command.
type annotation struct {
	file    string
	line    int
	title   string
	message string
}

// WriteAnnotations writes the report's problems as GitHub Actions
// workflow commands, one line each, which the runner turns into error
// annotations on the files of a pull request:
//
//	::error file=evals/bot.yaml,line=12,title=support-bot/correctness::correctness avg = 0.82, want >= 0.9 (20 rows)
//
// A problem is a missed threshold (at the threshold's line, else the
// experiment's; titled "<experiment>/<metric>"), an experiment that
// errored or timed out, fixture load errors included (at the experiment's
// file and line; titled "<experiment>"), and an experiment that failed
// without a missed threshold on record. Thresholds of an experiment that
// did not complete are not judged and not annotated. The message is the
// threshold's explanation or the error text (shortened beyond 4 KiB),
// with the console link.
//
// File paths are made relative to root (typically $GITHUB_WORKSPACE),
// with forward slashes, as GitHub expects; a relative path in the report
// is taken relative to the current directory. A path outside root, or any
// path when root is "", is written as given. An experiment without a
// file gets an annotation without a location.
//
// At most [MaxAnnotations] lines are written: when there are more
// problems, the first MaxAnnotations-1 and then one line
// "::error::… and N more problems; see the report". Values are escaped as
// workflow commands require: in the message % \r \n become %25 %0D %0A,
// in properties also : and , become %3A and %2C. Nothing is written for a
// report without problems.
func WriteAnnotations(w io.Writer, r *Report, root string) error {
	if r == nil {
		return fmt.Errorf("report: nil report")
	}
	anns := annotations(r)
	var b strings.Builder
	for i, a := range anns {
		if i == MaxAnnotations-1 && len(anns) > MaxAnnotations {
			fmt.Fprintf(&b, "::error::%s\n", escapeData(fmt.Sprintf("… and %d more problems; see the report", len(anns)-i)))
			break
		}
		b.WriteString(a.command(root))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: write annotations: %w", err)
	}
	return nil
}

// annotations lists the report's problems in report order.
func annotations(r *Report) []annotation {
	var out []annotation
	for i := range r.Experiments {
		e := &r.Experiments[i]
		if !e.judged() {
			msg := cmp.Or(e.Error, "the experiment ended with status "+strconv.Quote(e.Status))
			out = append(out, annotation{file: e.File, line: e.Line, title: e.Name, message: withLink(msg, e.Link)})
			continue
		}
		missed := 0
		for j := range e.Thresholds {
			t := &e.Thresholds[j]
			if t.Pass {
				continue
			}
			missed++
			out = append(out, annotation{file: e.File, line: cmp.Or(t.Line, e.Line), title: e.Name + "/" + t.Metric,
				message: withLink(explanation(t), e.Link)})
		}
		if (e.Status == StatusFailed || e.Status == StatusInconclusive) && missed == 0 {
			msg := cmp.Or(e.Error, "the experiment failed")
			out = append(out, annotation{file: e.File, line: e.Line, title: e.Name, message: withLink(msg, e.Link)})
		}
	}
	return out
}

// command renders the annotation as one ::error line.
func (a *annotation) command(root string) string {
	var props []string
	if a.file != "" {
		props = append(props, "file="+escapeProperty(relativePath(a.file, root)))
		if a.line > 0 {
			props = append(props, fmt.Sprintf("line=%d", a.line))
		}
	}
	if a.title != "" {
		props = append(props, "title="+escapeProperty(a.title))
	}
	msg := strings.TrimRight(a.message, "\n")
	if len(msg) > maxAnnotationMessage {
		n := maxAnnotationMessage
		for n > 0 && !utf8.RuneStart(msg[n]) {
			n--
		}
		msg = msg[:n] + "…"
	}
	cmd := "::error"
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	return cmd + "::" + escapeData(msg) + "\n"
}

// relativePath is file relative to root with forward slashes, or file as
// given when root is "" or file lies outside it.
func relativePath(file, root string) string {
	if root == "" {
		return file
	}
	absFile, err1 := filepath.Abs(file)
	absRoot, err2 := filepath.Abs(root)
	if err1 != nil || err2 != nil {
		return file
	}
	rel, err := filepath.Rel(absRoot, absFile)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return file
	}
	return filepath.ToSlash(rel)
}

// escapeData escapes the message of a workflow command.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value of a workflow command.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// AnnotateGitHub writes the report's annotations (WriteAnnotations) to w
// when the run is a GitHub Actions job (GITHUB_ACTIONS=true), with paths
// relative to $GITHUB_WORKSPACE; elsewhere it does nothing. The harness
// and the galileotest command both call it, so a gate shows its misses on
// the pull request's diff whichever way it runs.
func AnnotateGitHub(w io.Writer, r *Report, opts ...SummaryOption) error {
	cfg := summaryConfig{getenv: os.Getenv}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.getenv("GITHUB_ACTIONS") != "true" {
		return nil
	}
	return WriteAnnotations(w, r, cfg.getenv("GITHUB_WORKSPACE"))
}
