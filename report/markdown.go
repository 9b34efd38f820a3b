package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// MarkdownMarker is the first line WriteMarkdown writes: a hidden HTML
// comment by which an action that keeps one "sticky" pull-request comment
// finds the comment it posted before and updates it.
const MarkdownMarker = "<!-- galileotest-report -->"

// GitHub's size limits for the Markdown, in bytes (a byte count is never
// below the character count GitHub limits).
const (
	// MaxMarkdownBytes bounds what WriteMarkdown writes: GitHub accepts at
	// most 65,536 characters in a pull-request comment; 1 KiB is left for
	// what a comment action adds around the report.
	MaxMarkdownBytes = 64<<10 - 1<<10
	// MaxStepSummaryBytes bounds the file $GITHUB_STEP_SUMMARY names:
	// GitHub accepts at most 1 MiB of summary per step and drops a larger
	// one whole.
	MaxStepSummaryBytes = 1 << 20
)

// WriteMarkdown writes the report as GitHub-flavoured Markdown, for a
// pull-request comment or a job summary: the line [MarkdownMarker], a
// heading with the verdict and counts, a line with the thresholds missed,
// backend, start time and duration, and a table with one row per threshold
// (experiment, metric, statistic, actual, threshold, verdict, console
// link) and one row per experiment that errored or timed out, followed by
// the text of each such error. Actual values are shown in the metric's
// unit (2.4s, $0.62, 85%).
//
// Verdicts are ✅ (met), ❌ (missed; for an experiment row, ❌ error or
// ❌ timeout), ❔ inconclusive (the confidence interval straddles the
// threshold and on_inconclusive is fail; "✅ inconclusive (passed)" and
// "⏭️ inconclusive (skipped)" under pass and skip) and ⏭️ skipped (a
// threshold of an experiment that errored, not judged). The actual value
// is followed by its confidence interval when the report has one:
// "0.85 [0.64, 0.95]". Text from the report is escaped so that it cannot break the
// table or inject markup; console links are written only for http and
// https addresses.
//
// The text is at most [MaxMarkdownBytes]. A larger report loses rows, from
// the end: first rows of met thresholds, then of thresholds not judged,
// then error texts (shortened, then left out), then rows of missed
// thresholds and failed experiments; a last line says what was left out,
// e.g. "… 312 more thresholds not shown (312 passed); see the JSON
// report". The heading always counts the whole report.
func WriteMarkdown(w io.Writer, r *Report) error {
	c, err := normalized(r)
	if err != nil {
		return err
	}
	d := newMDDoc(c)
	d.fit(MaxMarkdownBytes - len(MarkdownMarker) - 1)
	var b bytes.Buffer
	b.WriteString(MarkdownMarker + "\n")
	d.writeTo(&b)
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("report: write Markdown: %w", err)
	}
	return nil
}

// markdownHead is the heading and the line of facts.
func markdownHead(r *Report) string {
	passed, failed, errored := r.Counts()
	icon := "❌"
	if r.Passed() {
		icon = "✅"
	}
	if len(r.Experiments) == 0 {
		return fmt.Sprintf("### %s Galileo regression gate: no experiments ran\n", icon)
	}
	head := fmt.Sprintf("### %s Galileo regression gate: %d passed, %d failed, %d errored\n\n", icon, passed, failed, errored)

	total, missed := 0, 0
	for _, e := range r.Experiments {
		for _, t := range e.Thresholds {
			total++
			if !t.Pass && e.judged() {
				missed++
			}
		}
	}
	facts := []string{fmt.Sprintf("%d %s, %d missed", total, plural(total, "threshold", "thresholds"), missed)}
	if r.Backend != "" {
		facts = append(facts, "backend "+escapeMD(r.Backend))
	}
	if !r.StartedAt.IsZero() {
		facts = append(facts, "started "+r.StartedAt.Format("2006-01-02 15:04:05 UTC"))
	}
	if d := r.Duration(); d > 0 {
		facts = append(facts, "took "+formatDuration(d))
	}
	return head + strings.Join(facts, " · ") + "\n"
}

// markdownRows are the table rows, one per threshold and one per
// experiment that did not complete or has no thresholds.
func markdownRows(r *Report) []mdRow {
	var rows []mdRow
	for i := range r.Experiments {
		e := &r.Experiments[i]
		name, link := escapeMD(e.Name), mdLink(e.Link)
		if !e.judged() {
			rows = append(rows, mdRow{kind: rowExperimentProblem,
				text: fmt.Sprintf("| %s | — | — | — | — | ❌ %s | %s |\n", name, escapeMD(statusWord(e.Status)), link)})
		}
		for j := range e.Thresholds {
			t := &e.Thresholds[j]
			actual := t.ActualText()
			kind, verdict := rowPassed, "✅"
			switch {
			case t.Skipped:
				verdict = "⏭️ inconclusive (skipped)"
			case t.Pass && t.Verdict == VerdictInconclusive:
				verdict = "✅ inconclusive (passed)"
			case t.Pass:
			case !e.judged():
				kind, verdict = rowSkipped, "⏭️ skipped"
			case t.Verdict == VerdictInconclusive:
				kind, verdict = rowMissed, "❔ inconclusive"
			default:
				kind, verdict = rowMissed, "❌"
			}
			rows = append(rows, mdRow{kind: kind, text: fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s |\n",
				name, escapeMD(t.Metric), escapeMD(t.Stat), escapeMD(actual), escapeMD(t.condition()), verdict, link)})
		}
		if e.judged() && len(e.Thresholds) == 0 {
			kind, verdict := rowExperimentOK, "✅ no thresholds"
			if e.Status == StatusFailed || e.Status == StatusInconclusive {
				kind, verdict = rowExperimentProblem, "❌ "+e.Status
			}
			rows = append(rows, mdRow{kind: kind, text: fmt.Sprintf("| %s | — | — | — | — | %s | %s |\n", name, verdict, link)})
		}
	}
	return rows
}

// markdownErrors are the error texts of the experiments that have one.
func markdownErrors(r *Report) []mdBlock {
	var blocks []mdBlock
	for i := range r.Experiments {
		e := &r.Experiments[i]
		if e.Error != "" {
			blocks = append(blocks, mdBlock{
				title: fmt.Sprintf("\n**%s** %s:\n\n", escapeMD(e.Name), statusPhrase(e.Status)),
				text:  strings.TrimRight(e.Error, "\n"),
			})
		}
	}
	return blocks
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// statusWord names an unjudged experiment's status in a table cell.
func statusWord(status string) string {
	switch status {
	case StatusTimeout, StatusError:
		return status
	case "":
		return "error"
	}
	return "error (status " + status + ")"
}

// statusPhrase introduces an experiment's error text.
func statusPhrase(status string) string {
	switch status {
	case StatusTimeout:
		return "timed out"
	case StatusFailed:
		return "failed"
	case StatusInconclusive:
		return "was inconclusive"
	case StatusPassed:
		return "reported"
	}
	return "could not run"
}

// codeFence returns a backtick fence longer than any run of backticks in s.
func codeFence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// escapeMD makes text safe for a Markdown table cell: it stays on one line,
// cannot end the cell, and renders literally (no emphasis, links, math or
// HTML).
func escapeMD(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		next := rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case r == '\r':
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
		case strings.ContainsRune("\\`*_[]|$~", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '<' && (isLetter(next) || strings.ContainsRune("/!?", next)):
			b.WriteString("&lt;")
		case r == '&' && (isLetter(next) || next == '#'):
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// mdLink renders a console link, or — when there is none or it is not an
// http(s) address.
func mdLink(link string) string {
	if link = httpLink(link); link == "" {
		return "—"
	}
	r := strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "|", "%7C", "<", "%3C", ">", "%3E", "`", "%60", "\n", "", "\r", "")
	return "[console](" + r.Replace(link) + ")"
}

// StepSummaryEnv is the environment variable through which GitHub Actions
// names the file a step appends its job summary to.
const StepSummaryEnv = "GITHUB_STEP_SUMMARY"

// SummaryOption configures AppendStepSummary.
type SummaryOption func(*summaryConfig)

type summaryConfig struct {
	getenv func(string) string
}

// WithGetenv makes AppendStepSummary look up StepSummaryEnv with getenv
// instead of os.Getenv.
func WithGetenv(getenv func(string) string) SummaryOption {
	return func(c *summaryConfig) { c.getenv = getenv }
}

// AppendStepSummary appends the report's Markdown (see WriteMarkdown,
// without the MarkdownMarker line) to the file named by
// $GITHUB_STEP_SUMMARY, creating it if needed, and does nothing when the
// variable is unset or empty. The text is written in one call, separated
// by a blank line from what the file already holds.
//
// The file stays within [MaxStepSummaryBytes], beyond which GitHub shows
// none of it: a report too large for the room left is cut as WriteMarkdown
// cuts one, with a last line saying what was left out. When not even the
// heading fits, nothing is appended and the error says so.
func AppendStepSummary(r *Report, opts ...SummaryOption) error {
	cfg := summaryConfig{getenv: os.Getenv}
	for _, o := range opts {
		o(&cfg)
	}
	path := cfg.getenv(StepSummaryEnv)
	if path == "" {
		return nil
	}
	c, err := normalized(r)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		return fmt.Errorf("report: append step summary to %s (%s): %w", path, StepSummaryEnv, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	var md bytes.Buffer
	var held int64
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		held = st.Size()
		md.WriteString("\n")
	}
	d := newMDDoc(c)
	if !d.fit(MaxStepSummaryBytes - int(min(held, MaxStepSummaryBytes)) - md.Len()) {
		return fail(fmt.Errorf("the file already holds %d bytes, leaving no room for the report within GitHub's limit of %d bytes per step", held, MaxStepSummaryBytes))
	}
	d.writeTo(&md)
	if _, err := f.Write(md.Bytes()); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	return nil
}
