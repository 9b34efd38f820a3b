package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JUnit document, in the shape Jenkins, Surefire, GitLab, Azure DevOps and
// the common GitHub Actions reporters read.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	ID         int             `xml:"id,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"` // in the XSD's order:
	Error     *junitProblem `xml:"error,omitempty"`   // skipped, error, failure
	Failure   *junitProblem `xml:"failure,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes the report as JUnit XML: a <testsuites> element with
// one <testsuite> per experiment (named after the experiment, with tests,
// failures, errors, skipped and time attributes, and the experiment's ids,
// project, run name and console link as properties).
//
// Each threshold is a <testcase> with classname "galileo.<experiment>"
// (dots in the experiment name become underscores, so that CI systems that
// split the class name at its last dot keep the experiment whole) and name
// "<metric>: <expr>". A missed threshold carries a <failure type="threshold">
// whose message is the one-line explanation and whose text lists metric,
// statistic, actual value, threshold, rows and console link.
//
// An experiment that errored or timed out adds a <testcase name="setup">
// with an <error> (type "error" or "timeout") holding the error text and the
// console link; its thresholds that did not pass are <skipped>, because
// they were not judged. An experiment with nothing else to show has one
// passing <testcase name="run">.
//
// When the experiment came from a fixture file, every test case carries
// file and line attributes, which GitLab, gotestsum-style viewers and the
// GitHub Actions test reporters use to point at the source: file is the
// experiment's File, line the threshold's Line (where the fixture declares
// it) or, for a threshold declared in Go and for the setup, result and run
// cases, the experiment's Line.
func WriteJUnit(w io.Writer, r *Report) error {
	c, err := normalized(r)
	if err != nil {
		return err
	}
	doc := junitSuites{Name: "galileo", Time: formatSeconds(c.Duration().Milliseconds())}
	stamp := ""
	if !c.StartedAt.IsZero() {
		stamp = c.StartedAt.Format("2006-01-02T15:04:05")
	}
	for i := range c.Experiments {
		s := junitExperiment(&c.Experiments[i], c.Backend)
		s.ID, s.Timestamp = i, stamp
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Suites = append(doc.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("report: write JUnit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("report: write JUnit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("report: write JUnit: %w", err)
	}
	return nil
}

func junitExperiment(e *Experiment, backend string) junitSuite {
	s := junitSuite{Name: e.Name, Time: formatSeconds(e.DurationMS)}
	prop := func(name, value string) {
		if value != "" {
			s.Properties = append(s.Properties, junitProperty{Name: name, Value: value})
		}
	}
	prop("run_name", e.RunName)
	prop("experiment_id", e.ID)
	prop("project", e.Project)
	prop("project_id", e.ProjectID)
	prop("kind", e.Kind)
	prop("status", e.Status)
	prop("backend", backend)
	prop("rows", strconv.Itoa(e.Rows))
	prop("scored_rows", strconv.Itoa(e.ScoredRows))
	prop("errored_rows", strconv.Itoa(e.ErroredRows))
	prop("link", e.Link)
	if e.Confidence > 0 {
		prop("confidence", strconv.FormatFloat(e.Confidence, 'f', -1, 64))
		prop("on_inconclusive", cmp.Or(e.OnInconclusive, OnInconclusiveFail))
	}
	if e.Repeats > 1 {
		prop("repeats", strconv.Itoa(e.Repeats))
	}

	class := "galileo." + strings.ReplaceAll(e.Name, ".", "_")
	tc := func(name, time string, line int) junitCase {
		c := junitCase{Name: name, Classname: class, Time: time, File: e.File}
		if e.File != "" {
			c.Line = cmp.Or(line, e.Line)
		}
		return c
	}

	if !e.judged() {
		c := tc("setup", formatSeconds(e.DurationMS), 0)
		typ := e.Status
		if typ != StatusTimeout {
			typ = StatusError
		}
		text := e.Error
		if text == "" {
			text = "experiment status " + strconv.Quote(e.Status)
		}
		c.Error = &junitProblem{Message: firstLine(text), Type: typ, Text: xmlText(withLink(text, e.Link))}
		s.Cases = append(s.Cases, c)
		s.Errors++
	}

	missed := 0
	for i := range e.Thresholds {
		t := &e.Thresholds[i]
		c := tc(t.Metric+": "+t.Expr, "0.000", t.Line)
		switch {
		case t.Skipped:
			c.Skipped = &junitSkipped{Message: "inconclusive (on_inconclusive: skip): " + explanation(t)}
			s.Skipped++
		case t.Pass:
		case !e.judged():
			c.Skipped = &junitSkipped{Message: "not judged: the experiment ended with status " + e.Status}
			s.Skipped++
		default:
			typ := "threshold"
			if t.Verdict == VerdictInconclusive {
				typ = VerdictInconclusive
			}
			c.Failure = &junitProblem{Message: explanation(t), Type: typ, Text: xmlText(failureText(e, t))}
			s.Failures++
			missed++
		}
		s.Cases = append(s.Cases, c)
	}

	if (e.Status == StatusFailed || e.Status == StatusInconclusive) && missed == 0 {
		// Failed without a missed threshold on record: keep CI's verdict
		// in line with the report's.
		c := tc("result", formatSeconds(e.DurationMS), 0)
		msg := e.Error
		if msg == "" {
			msg = "the experiment failed"
		}
		c.Failure = &junitProblem{Message: firstLine(msg), Type: "threshold", Text: xmlText(withLink(msg, e.Link))}
		s.Cases = append(s.Cases, c)
		s.Failures++
	}
	if len(s.Cases) == 0 {
		s.Cases = append(s.Cases, tc("run", formatSeconds(e.DurationMS), 0))
	}
	s.Tests = len(s.Cases)
	return s
}

// explanation is the threshold's one-line explanation, or one built from
// its fields.
func explanation(t *Threshold) string {
	if t.Explanation != "" {
		return t.Explanation
	}
	actual := "not reported"
	if t.Actual != nil {
		actual = formatAgainst(*t.Actual, t.Unit, t.Bounds)
	}
	return fmt.Sprintf("%s %s = %s, want %s (%d rows)", t.Metric, t.Stat, actual, t.condition(), t.Rows)
}

func failureText(e *Experiment, t *Threshold) string {
	metric := t.Metric
	if m := e.Metric(t.Metric); m != nil && m.Key != "" && m.Key != t.Metric {
		metric += " (" + m.Key + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", explanation(t))
	fmt.Fprintf(&b, "metric:     %s\n", metric)
	fmt.Fprintf(&b, "statistic:  %s\n", t.Stat)
	fmt.Fprintf(&b, "actual:     %s\n", t.ActualText())
	if t.Verdict != "" {
		fmt.Fprintf(&b, "verdict:    %s\n", t.VerdictText())
	}
	fmt.Fprintf(&b, "threshold:  %s\n", t.Expr)
	fmt.Fprintf(&b, "rows:       %d\n", t.Rows)
	if e.Link != "" {
		fmt.Fprintf(&b, "console:    %s\n", e.Link)
	}
	return b.String()
}

func withLink(text, link string) string {
	text = strings.TrimRight(text, "\n") + "\n"
	if link != "" {
		text += "console: " + link + "\n"
	}
	return text
}

// xmlText replaces what XML 1.0 cannot carry (control characters other
// than tab and newlines, invalid UTF-8) with U+FFFD, for text written as
// CDATA, which the encoder does not escape.
func xmlText(s string) string {
	valid := func(r rune) bool {
		return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
	}
	if utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !valid(r) }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s { // invalid UTF-8 yields U+FFFD
		if !valid(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}
