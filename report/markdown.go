package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// WriteMarkdown writes the report as GitHub-flavoured Markdown: a heading
// with the verdict and counts, a line with the thresholds missed, backend,
// start time and duration, and a table with one row per threshold
// (experiment, metric, statistic, actual, threshold, verdict, console
// link) and one row per experiment that errored or timed out, followed by
// the text of each such error. Actual values are shown in the metric's
// unit (2.4s, $0.62, 85%).
//
// Verdicts are ✅ (met), ❌ (missed; for an experiment row, ❌ error or
// ❌ timeout) and ⏭️ skipped (a threshold of an experiment that errored,
// not judged). Text from the report is escaped so that it cannot break the
// table or inject markup; console links are written only for http and
// https addresses.
func WriteMarkdown(w io.Writer, r *Report) error {
	c, err := normalized(r)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	writeMarkdown(&b, c)
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("report: write Markdown: %w", err)
	}
	return nil
}

func writeMarkdown(b *bytes.Buffer, r *Report) {
	passed, failed, errored := r.Counts()
	icon := "❌"
	if r.Passed() {
		icon = "✅"
	}
	if len(r.Experiments) == 0 {
		fmt.Fprintf(b, "### %s Galileo regression gate: no experiments ran\n", icon)
		return
	}
	fmt.Fprintf(b, "### %s Galileo regression gate: %d passed, %d failed, %d errored\n\n", icon, passed, failed, errored)

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
	b.WriteString(strings.Join(facts, " · ") + "\n\n")

	b.WriteString("| Experiment | Metric | Statistic | Actual | Threshold | Verdict | Link |\n")
	b.WriteString("|:--|:--|:--|--:|:--|:--|:--|\n")
	for i := range r.Experiments {
		e := &r.Experiments[i]
		name, link := escapeMD(e.Name), mdLink(e.Link)
		if !e.judged() {
			fmt.Fprintf(b, "| %s | — | — | — | — | ❌ %s | %s |\n", name, escapeMD(statusWord(e.Status)), link)
		}
		for j := range e.Thresholds {
			t := &e.Thresholds[j]
			actual := "not reported"
			if t.Actual != nil {
				actual = formatAgainst(*t.Actual, t.Unit, t.Bounds)
			}
			verdict := "✅"
			switch {
			case t.Pass:
			case !e.judged():
				verdict = "⏭️ skipped"
			default:
				verdict = "❌"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n",
				name, escapeMD(t.Metric), escapeMD(t.Stat), escapeMD(actual), escapeMD(t.condition()), verdict, link)
		}
		if e.judged() && len(e.Thresholds) == 0 {
			verdict := "✅ no thresholds"
			if e.Status == StatusFailed {
				verdict = "❌ failed"
			}
			fmt.Fprintf(b, "| %s | — | — | — | — | %s | %s |\n", name, verdict, link)
		}
	}

	for i := range r.Experiments {
		e := &r.Experiments[i]
		if e.Error == "" {
			continue
		}
		fmt.Fprintf(b, "\n**%s** %s:\n\n", escapeMD(e.Name), statusPhrase(e.Status))
		fence := codeFence(e.Error)
		fmt.Fprintf(b, "%stext\n%s\n%s\n", fence, strings.TrimRight(e.Error, "\n"), fence)
	}
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

// stepSummaryLimit is the size GitHub accepts for one step's summary.
const stepSummaryLimit = 1 << 20

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

// AppendStepSummary appends the report's Markdown (see WriteMarkdown) to
// the file named by $GITHUB_STEP_SUMMARY, creating it if needed, and does
// nothing when the variable is unset or empty. The text is written in one
// call, separated by a blank line from what the file already holds. When
// it is larger than the 1 MiB GitHub accepts for a step's summary, only the
// heading and a note are written.
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
	var md bytes.Buffer
	writeMarkdown(&md, c)
	if md.Len() > stepSummaryLimit-1024 {
		head, _, _ := bytes.Cut(md.Bytes(), []byte("\n"))
		md.Reset()
		fmt.Fprintf(&md, "%s\n\nThe full table is too large for a step summary; see the JSON, JUnit or HTML report.\n", head)
	}

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("report: append step summary to %s (%s): %w", path, StepSummaryEnv, err)
	}
	data := md.Bytes()
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		data = append([]byte("\n"), data...)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr != nil {
		return fmt.Errorf("report: append step summary to %s (%s): %w", path, StepSummaryEnv, werr)
	}
	if cerr != nil {
		return fmt.Errorf("report: append step summary to %s (%s): %w", path, StepSummaryEnv, cerr)
	}
	return nil
}
