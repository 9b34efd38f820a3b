package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/assert"
)

// verdictReport has one experiment at 95% confidence whose thresholds are
// passed, failed, inconclusive and inconclusive-but-skipped.
func verdictReport(t *testing.T) *Report {
	t.Helper()
	e := Experiment{Name: "bot", File: "evals/bot.yaml", Line: 1, Status: StatusPassed, Confidence: 0.95, Rows: 20,
		Metrics: []Metric{binaryMetric("correctness", 17, 20), binaryMetric("safety", 20, 20), binaryMetric("polite", 2, 20)}}
	for _, c := range []struct{ metric, expr string }{
		{"correctness", "avg >= 0.8"}, {"safety", "avg >= 0.8"}, {"polite", "avg >= 0.8"},
	} {
		th := e.Verdict(assert.MustParse(c.metric, c.expr))
		th.Line = 5
		e.AddThreshold(th)
	}
	skip := Experiment{Name: "lenient", Status: StatusPassed, Confidence: 0.95, OnInconclusive: OnInconclusiveSkip, Rows: 20,
		Metrics: []Metric{binaryMetric("correctness", 17, 20)}}
	skip.AddThreshold(skip.Verdict(assert.MustParse("correctness", "avg >= 0.8")))
	return &Report{Backend: BackendEmulator, Experiments: []Experiment{e, skip}}
}

func TestWriters_verdicts(t *testing.T) {
	r := verdictReport(t)
	if got := r.Experiments[0].Status; got != StatusFailed {
		t.Fatalf("status %s, want failed (one threshold failed)", got)
	}
	if got := r.Experiments[1].Status; got != StatusPassed {
		t.Fatalf("skip: status %s, want passed", got)
	}
	var md, junit, html, js bytes.Buffer
	for _, w := range []struct {
		f   Format
		buf *bytes.Buffer
	}{{FormatMarkdown, &md}, {FormatJUnit, &junit}, {FormatHTML, &html}, {FormatJSON, &js}} {
		if err := Write(w.buf, w.f, r); err != nil {
			t.Fatal(err)
		}
	}
	// Markdown escapes brackets; GitHub renders "0.85 [0.64, 0.95]".
	for _, want := range []string{
		"| bot | correctness | avg | 0.85 \\[0.64, 0.95\\] | >= 0.8 | ❔ inconclusive |",
		"| bot | safety | avg | 1 \\[0.84, 1\\] | >= 0.8 | ✅ |",
		"| bot | polite | avg | 0.1 \\[0.028, 0.3\\] | >= 0.8 | ❌ |",
		"| lenient | correctness | avg | 0.85 \\[0.64, 0.95\\] | >= 0.8 | ⏭️ inconclusive (skipped) |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	for _, want := range []string{
		`type="inconclusive"`,
		`<skipped message="inconclusive (on_inconclusive: skip): correctness avg = 0.85 [0.6396, 0.9476] (95% wilson), want &gt;= 0.8 (20 rows): inconclusive, the interval contains 0.8; about 196 rows would decide it">`,
		"verdict:    inconclusive",
	} {
		if !strings.Contains(junit.String(), want) {
			t.Errorf("JUnit lacks %q:\n%s", want, junit.String())
		}
	}
	for _, want := range []string{`data-interval-low="0.6395811`, `<line class="interval"`, `class="threshold inconclusive"`} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML lacks %q:\n%s", want, html.String())
		}
	}
	for _, want := range []string{`"schema_version": 2`, `"verdict": "inconclusive"`, `"method": "wilson"`, `"level": 0.95`, `"confidence": 0.95`, `"on_inconclusive": "skip"`, `"skipped": true`, `"rows_to_decide": 196`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("JSON lacks %q", want)
		}
	}
}
