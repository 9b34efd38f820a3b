package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The JUnit shape CI systems read, after the Jenkins/Surefire XSD
// (junit-10.xsd): which attributes each element may carry, which are
// required, and which parent it must have. The file and line attributes of
// testcase are not in that XSD; GitLab and the GitHub Actions reporters
// read them, and Jenkins ignores them.
var junitSchema = map[string]struct {
	parent             string
	required, optional []string
}{
	"testsuites": {"", nil, []string{"name", "time", "tests", "failures", "disabled", "errors"}},
	"testsuite": {"testsuites", []string{"name", "tests", "failures", "errors", "time"},
		[]string{"disabled", "skipped", "timestamp", "hostname", "id", "package"}},
	"properties": {"testsuite", nil, nil},
	"property":   {"properties", []string{"name", "value"}, nil},
	"testcase":   {"testsuite", []string{"name", "classname", "time"}, []string{"assertions", "status", "file", "line"}},
	"skipped":    {"testcase", nil, []string{"message"}},
	"error":      {"testcase", []string{"message", "type"}, nil},
	"failure":    {"testcase", []string{"message", "type"}, nil},
	"system-out": {"testcase", nil, nil},
	"system-err": {"testcase", nil, nil},
}

// XSD-shaped structs for reading the document back.
type xsdSuites struct {
	XMLName  xml.Name   `xml:"testsuites"`
	Tests    string     `xml:"tests,attr"`
	Failures string     `xml:"failures,attr"`
	Errors   string     `xml:"errors,attr"`
	Time     string     `xml:"time,attr"`
	Suites   []xsdSuite `xml:"testsuite"`
}

type xsdSuite struct {
	Name       string        `xml:"name,attr"`
	Tests      string        `xml:"tests,attr"`
	Failures   string        `xml:"failures,attr"`
	Errors     string        `xml:"errors,attr"`
	Skipped    string        `xml:"skipped,attr"`
	Time       string        `xml:"time,attr"`
	Timestamp  string        `xml:"timestamp,attr"`
	Properties []xsdProperty `xml:"properties>property"`
	Cases      []xsdCase     `xml:"testcase"`
}

type xsdProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type xsdCase struct {
	Name      string       `xml:"name,attr"`
	Classname string       `xml:"classname,attr"`
	Time      string       `xml:"time,attr"`
	File      string       `xml:"file,attr"`
	Line      string       `xml:"line,attr"`
	Skipped   []xsdProblem `xml:"skipped"`
	Errors    []xsdProblem `xml:"error"`
	Failures  []xsdProblem `xml:"failure"`
}

type xsdProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// checkJUnitShape returns every way doc departs from the JUnit shape, as
// one joined error.
func checkJUnitShape(doc []byte) error {
	var errs []error
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var stack []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("not well-formed XML: %w", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			name := el.Name.Local
			rule, known := junitSchema[name]
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			stack = append(stack, name)
			if !known {
				errs = append(errs, fmt.Errorf("<%s> is not a JUnit element", name))
				continue
			}
			if parent != rule.parent {
				errs = append(errs, fmt.Errorf("<%s> inside <%s>, want inside <%s>", name, parent, rule.parent))
			}
			have := map[string]bool{}
			for _, a := range el.Attr {
				have[a.Name.Local] = true
				if !slices.Contains(rule.required, a.Name.Local) && !slices.Contains(rule.optional, a.Name.Local) {
					errs = append(errs, fmt.Errorf("<%s> has attribute %q, not in the JUnit schema", name, a.Name.Local))
				}
			}
			for _, r := range rule.required {
				if !have[r] {
					errs = append(errs, fmt.Errorf("<%s> lacks the required attribute %q", name, r))
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}

	var s xsdSuites
	if err := xml.Unmarshal(doc, &s); err != nil {
		return fmt.Errorf("unmarshal: %w", err)
	}
	num := func(where, attr, v string) int {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("%s %s=%q, want a count", where, attr, v))
		}
		return n
	}
	secs := func(where, v string) {
		if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 {
			errs = append(errs, fmt.Errorf("%s time=%q, want seconds", where, v))
		}
	}
	stamp := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`)
	secs("testsuites", s.Time)
	var tests, failures, errorsN int
	for _, suite := range s.Suites {
		where := fmt.Sprintf("testsuite %q", suite.Name)
		secs(where, suite.Time)
		if suite.Timestamp != "" && !stamp.MatchString(suite.Timestamp) {
			errs = append(errs, fmt.Errorf("%s timestamp=%q, want yyyy-mm-ddThh:mm:ss without a zone", where, suite.Timestamp))
		}
		var f, e, sk int
		for _, c := range suite.Cases {
			secs(where+" testcase "+strconv.Quote(c.Name), c.Time)
			f += len(c.Failures)
			e += len(c.Errors)
			sk += len(c.Skipped)
			if len(c.Failures)+len(c.Errors)+len(c.Skipped) > 1 {
				errs = append(errs, fmt.Errorf("%s testcase %q has more than one outcome", where, c.Name))
			}
		}
		if got := num(where, "tests", suite.Tests); got != len(suite.Cases) {
			errs = append(errs, fmt.Errorf("%s tests=%d, but it has %d testcases", where, got, len(suite.Cases)))
		}
		if got := num(where, "failures", suite.Failures); got != f {
			errs = append(errs, fmt.Errorf("%s failures=%d, but it has %d <failure>", where, got, f))
		}
		if got := num(where, "errors", suite.Errors); got != e {
			errs = append(errs, fmt.Errorf("%s errors=%d, but it has %d <error>", where, got, e))
		}
		if suite.Skipped != "" {
			if got := num(where, "skipped", suite.Skipped); got != sk {
				errs = append(errs, fmt.Errorf("%s skipped=%d, but it has %d <skipped>", where, got, sk))
			}
		}
		tests += len(suite.Cases)
		failures += f
		errorsN += e
	}
	if got := num("testsuites", "tests", s.Tests); got != tests {
		errs = append(errs, fmt.Errorf("testsuites tests=%d, want the total %d", got, tests))
	}
	if got := num("testsuites", "failures", s.Failures); got != failures {
		errs = append(errs, fmt.Errorf("testsuites failures=%d, want the total %d", got, failures))
	}
	if got := num("testsuites", "errors", s.Errors); got != errorsN {
		errs = append(errs, fmt.Errorf("testsuites errors=%d, want the total %d", got, errorsN))
	}
	return errors.Join(errs...)
}

func readJUnit(t *testing.T, r *Report) (xsdSuites, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, r); err != nil {
		t.Fatalf("WriteJUnit: %v", err)
	}
	if err := checkJUnitShape(buf.Bytes()); err != nil {
		t.Fatalf("JUnit shape:\n%v\n%s", err, buf.Bytes())
	}
	var s xsdSuites
	if err := xml.Unmarshal(buf.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	return s, buf.Bytes()
}

func TestCheckJUnitShape_catchesBadDocuments(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"missing classname", `<testsuites tests="1" failures="0" errors="0" time="0"><testsuite name="a" tests="1" failures="0" errors="0" time="0"><testcase name="x" time="0"/></testsuite></testsuites>`,
			`<testcase> lacks the required attribute "classname"`},
		{"count mismatch", `<testsuites tests="1" failures="0" errors="0" time="0"><testsuite name="a" tests="1" failures="0" errors="0" time="0"><testcase name="x" classname="c" time="0"><failure message="m" type="t"/></testcase></testsuite></testsuites>`,
			`failures=0, but it has 1 <failure>`},
		{"wrong nesting", `<testsuites tests="0" failures="0" errors="0" time="0"><testcase name="x" classname="c" time="0"/></testsuites>`,
			`<testcase> inside <testsuites>, want inside <testsuite>`},
		{"unknown attribute", `<testsuites tests="0" failures="0" errors="0" time="0" color="red"></testsuites>`,
			`has attribute "color"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkJUnitShape([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("checkJUnitShape = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestWriteJUnit_shape(t *testing.T) {
	s, _ := readJUnit(t, sampleReport(t))
	if len(s.Suites) != 4 {
		t.Fatalf("got %d testsuites, want one per experiment (4)", len(s.Suites))
	}
	if s.Tests != "11" || s.Failures != "3" || s.Errors != "2" {
		t.Errorf("testsuites tests/failures/errors = %s/%s/%s, want 11/3/2", s.Tests, s.Failures, s.Errors)
	}

	passed := s.Suites[0]
	if passed.Name != "support-bot" || passed.Tests != "3" || passed.Failures != "0" || passed.Time != "42.310" {
		t.Errorf("passed suite = %s tests=%s failures=%s time=%s, want support-bot 3 0 42.310", passed.Name, passed.Tests, passed.Failures, passed.Time)
	}
	if c := passed.Cases[1]; c.Name != "latency: p95 <= 2s" || c.Classname != "galileo.support-bot" || c.File != "testdata/evals/support-bot.yaml" || c.Line != "8" {
		t.Errorf("testcase = %+v, want latency: p95 <= 2s in galileo.support-bot at testdata/evals/support-bot.yaml:8", c)
	}

	failed := s.Suites[1]
	lat := failed.Cases[2]
	if len(lat.Failures) != 1 {
		t.Fatalf("latency testcase has %d failures, want 1", len(lat.Failures))
	}
	f := lat.Failures[0]
	if f.Type != "threshold" || f.Message != "latency p95 = 2.4s, want <= 2s (20 rows)" {
		t.Errorf("failure type=%q message=%q", f.Type, f.Message)
	}
	for _, want := range []string{"actual:     2.4s", "threshold:  p95 <= 2s", "rows:       20", "console:    https://console.acme.example/"} {
		if !strings.Contains(f.Text, want) {
			t.Errorf("failure text lacks %q:\n%s", want, f.Text)
		}
	}
	if cost := failed.Cases[3].Failures; len(cost) != 1 || !strings.Contains(cost[0].Text, "actual:     $0.62") {
		t.Errorf("cost failure = %+v, want actual $0.62", cost)
	}

	timeout := s.Suites[2]
	if setup := timeout.Cases[0]; setup.Name != "setup" || len(setup.Errors) != 1 || setup.Errors[0].Type != "timeout" ||
		setup.Errors[0].Message != "timed out after 10m0s waiting for scores" || !strings.Contains(setup.Errors[0].Text, "7 of 10 rows") {
		t.Errorf("timeout setup testcase = %+v", setup)
	}
	if c := timeout.Cases[1]; len(c.Skipped) != 1 || len(c.Failures) != 0 {
		t.Errorf("threshold of a timed-out experiment = %+v, want skipped, not failed", c)
	}

	errored := s.Suites[3]
	if errored.Name != "classifier | v2 <b>" || len(errored.Cases) != 1 || errored.Cases[0].Name != "setup" ||
		len(errored.Cases[0].Errors) != 1 || errored.Cases[0].Errors[0].Type != "error" {
		t.Errorf("errored suite = %+v, want one setup testcase with an error", errored)
	}
	if errored.Cases[0].Classname != "galileo.classifier | v2 <b>" {
		t.Errorf("classname = %q", errored.Cases[0].Classname)
	}
}

func TestWriteJUnit_fileAndLine(t *testing.T) {
	fixture := Experiment{Name: "bot", File: "evals/bot.yaml", Line: 3, Status: StatusFailed, Thresholds: []Threshold{
		{Metric: "correctness", Stat: "avg", Expr: "avg >= 0.9", Line: 12},        // declared in the fixture
		{Metric: "latency", Stat: "p95", Expr: "p95 <= 2s", Line: 14, Pass: true}, // met, still located
		{Metric: "cost", Stat: "sum", Expr: "sum <= 1", Pass: true},               // checked in Go
	}}
	timedOut := Experiment{Name: "slow", File: "evals/slow.yaml", Line: 1, Status: StatusTimeout, Error: "timed out",
		Thresholds: []Threshold{{Metric: "correctness", Stat: "avg", Expr: "avg >= 0.9", Line: 9}}}
	goOnly := Experiment{Name: "go", Status: StatusFailed, Thresholds: []Threshold{{Metric: "m", Stat: "avg", Expr: "avg >= 1", Line: 5}}}
	s, doc := readJUnit(t, &Report{Experiments: []Experiment{fixture, timedOut, goOnly}})
	var got []string
	for _, suite := range s.Suites {
		for _, c := range suite.Cases {
			got = append(got, fmt.Sprintf("%s %s file=%q line=%q", suite.Name, c.Name, c.File, c.Line))
		}
	}
	want := []string{
		`bot correctness: avg >= 0.9 file="evals/bot.yaml" line="12"`,
		`bot latency: p95 <= 2s file="evals/bot.yaml" line="14"`,
		`bot cost: sum <= 1 file="evals/bot.yaml" line="3"`,
		`slow setup file="evals/slow.yaml" line="1"`,
		`slow correctness: avg >= 0.9 file="evals/slow.yaml" line="9"`,
		`go m: avg >= 1 file="" line=""`, // no file: a line alone locates nothing
	}
	if !slices.Equal(got, want) {
		t.Errorf("test cases:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), doc)
	}
}

func TestWriteJUnit_edgeCases(t *testing.T) {
	tests := []struct {
		name      string
		exp       Experiment
		wantCases []string // name:outcome
	}{
		{"no thresholds", Experiment{Name: "a", Status: StatusPassed}, []string{"run:pass"}},
		{"failed without a missed threshold", Experiment{Name: "a", Status: StatusFailed, Error: "2 rows errored"}, []string{"result:failure"}},
		{"unknown status", Experiment{Name: "a", Status: "cancelled"}, []string{"setup:error"}},
		{"dotted name", Experiment{Name: "bot.v2", Status: StatusPassed, Thresholds: []Threshold{{Metric: "m", Stat: "avg", Expr: "avg >= 1", Pass: true}}},
			[]string{"m: avg >= 1:pass"}},
		{"control characters", Experiment{Name: "a\x01b", Status: StatusError, Error: "boom \x1b[31mred\x1b[0m ]]> end\x00"}, []string{"setup:error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, doc := readJUnit(t, &Report{Experiments: []Experiment{tt.exp}})
			var got []string
			for _, c := range s.Suites[0].Cases {
				outcome := "pass"
				switch {
				case len(c.Failures) > 0:
					outcome = "failure"
				case len(c.Errors) > 0:
					outcome = "error"
				case len(c.Skipped) > 0:
					outcome = "skipped"
				}
				got = append(got, c.Name+":"+outcome)
			}
			if !slices.Equal(got, tt.wantCases) {
				t.Errorf("testcases = %q, want %q\n%s", got, tt.wantCases, doc)
			}
		})
	}
	t.Run("classname keeps the experiment whole", func(t *testing.T) {
		s, _ := readJUnit(t, &Report{Experiments: []Experiment{{Name: "bot.v2", Status: StatusPassed}}})
		if got := s.Suites[0].Cases[0].Classname; got != "galileo.bot_v2" {
			t.Errorf("classname = %q, want galileo.bot_v2", got)
		}
	})
	t.Run("CDATA end inside text", func(t *testing.T) {
		s, _ := readJUnit(t, &Report{Experiments: []Experiment{{Name: "a", Status: StatusError, Error: "x ]]> y"}}})
		if got := s.Suites[0].Cases[0].Errors[0].Text; !strings.Contains(got, "x ]]> y") {
			t.Errorf("error text = %q, want it to keep \"x ]]> y\"", got)
		}
	})
}
