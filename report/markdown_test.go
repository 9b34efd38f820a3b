package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscapeMD(t *testing.T) {
	tests := []struct{ in, want string }{
		{"support-bot", "support-bot"},
		{"a | b", `a \| b`},
		{"<= 2s", "<= 2s"},
		{"<script>x</script>", "&lt;script>x&lt;/script>"},
		{"<!-- c -->", "&lt;!-- c -->"},
		{"$0.62 and $0.5", `\$0.62 and \$0.5`},
		{"*bold* _it_ `code` [l](u) ~s~", "\\*bold\\* \\_it\\_ \\`code\\` \\[l\\](u) \\~s\\~"},
		{`back\slash`, `back\\slash`},
		{"two\nlines\r\n\ttab", "two lines  tab"},
		{"&amp; & x", "&amp;amp; & x"},
		{"&#124;", "&amp;#124;"},
	}
	for _, tt := range tests {
		if got := escapeMD(tt.in); got != tt.want {
			t.Errorf("escapeMD(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzEscapeMD(f *testing.F) {
	for _, s := range []string{"a|b", "x\\|y", "<b>", "line\nbreak", "`a`", "\\\\|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := escapeMD(s)
		if strings.ContainsAny(got, "\n\r") {
			t.Fatalf("escapeMD(%q) = %q spans lines", s, got)
		}
		// Every | must be escaped by an odd run of backslashes.
		for i := 0; i < len(got); i++ {
			if got[i] != '|' {
				continue
			}
			n := 0
			for j := i - 1; j >= 0 && got[j] == '\\'; j-- {
				n++
			}
			if n%2 == 0 {
				t.Fatalf("escapeMD(%q) = %q leaves a bare | at byte %d", s, got, i)
			}
		}
	})
}

func TestMDLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://console.example/p/1/e/2", "[console](https://console.example/p/1/e/2)"},
		{"https://console.example/a b(c)|d", "[console](https://console.example/a%20b%28c%29%7Cd)"},
		{"javascript:alert(1)", "—"},
		{"console.example/x", "—"},
		{"", "—"},
	}
	for _, tt := range tests {
		if got := mdLink(tt.in); got != tt.want {
			t.Errorf("mdLink(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteMarkdown_cases(t *testing.T) {
	tests := []struct {
		name string
		r    *Report
		want []string
	}{
		{"no experiments", &Report{}, []string{"### ❌ Galileo regression gate: no experiments ran\n"}},
		{"all passed", &Report{Experiments: []Experiment{{Name: "a", Status: StatusPassed,
			Thresholds: []Threshold{{Metric: "latency", Stat: "p95", Expr: "p95 <= 2s", Actual: fp(1.5e9), Pass: true, Unit: UnitNanoseconds, Bounds: []Bound{{"<=", 2e9}}}}}}},
			[]string{"### ✅ Galileo regression gate: 1 passed, 0 failed, 0 errored", "| a | latency | p95 | 1.5s | <= 2s | ✅ | — |", "1 threshold, 0 missed"}},
		{"no thresholds", &Report{Experiments: []Experiment{{Name: "a", Status: StatusPassed}}},
			[]string{"| a | — | — | — | — | ✅ no thresholds | — |"}},
		{"error text with backticks", &Report{Experiments: []Experiment{{Name: "a", Status: StatusError, Error: "bad ``` fence"}}},
			[]string{"**a** could not run:\n\n````text\nbad ``` fence\n````\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteMarkdown(&buf, tt.r); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("Markdown lacks %q:\n%s", w, buf.String())
				}
			}
		})
	}
}

func TestAppendStepSummary(t *testing.T) {
	env := func(vars map[string]string) SummaryOption {
		return WithGetenv(func(k string) string { return vars[k] })
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, sampleReport(t)); err != nil {
		t.Fatal(err)
	}
	// The step summary is the Markdown without the marker for comments.
	if _, ok := bytes.CutPrefix(md.Bytes(), []byte(MarkdownMarker+"\n")); !ok {
		t.Fatalf("the Markdown does not start with %s:\n%s", MarkdownMarker, md.Bytes())
	}
	md.Next(len(MarkdownMarker) + 1)

	t.Run("unset", func(t *testing.T) {
		var asked []string
		lookup := WithGetenv(func(k string) string { asked = append(asked, k); return "" })
		if err := AppendStepSummary(sampleReport(t), lookup); err != nil {
			t.Fatalf("AppendStepSummary without %s: %v", StepSummaryEnv, err)
		}
		if len(asked) != 1 || asked[0] != "GITHUB_STEP_SUMMARY" {
			t.Errorf("looked up %q, want [GITHUB_STEP_SUMMARY]", asked)
		}
	})

	t.Run("new file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "summary.md")
		if err := AppendStepSummary(sampleReport(t), env(map[string]string{StepSummaryEnv: path})); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, md.Bytes()) {
			t.Errorf("summary file =\n%s\nwant the Markdown report\n%s", got, md.Bytes())
		}
	})

	t.Run("appends after existing content", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "summary.md")
		if err := os.WriteFile(path, []byte("## Earlier step"), 0o644); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := AppendStepSummary(sampleReport(t), env(map[string]string{StepSummaryEnv: path})); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := os.ReadFile(path)
		want := "## Earlier step\n" + md.String() + "\n" + md.String()
		if string(got) != want {
			t.Errorf("summary file =\n%s\nwant\n%s", got, want)
		}
	})

	t.Run("unwritable", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing-dir", "summary.md")
		err := AppendStepSummary(sampleReport(t), env(map[string]string{StepSummaryEnv: path}))
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), StepSummaryEnv) {
			t.Errorf("error = %v, want one naming %s and %s", err, path, StepSummaryEnv)
		}
	})

	t.Run("too large", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "summary.md")
		if err := AppendStepSummary(bigReport(4000, 3), env(map[string]string{StepSummaryEnv: path})); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		// About 1.7 MiB in full; without some of the met thresholds it fits.
		wantNote := regexp.MustCompile(`\n\n… \d+ more thresholds not shown \(\d+ passed\); see the JSON report\n$`)
		if len(got) > MaxStepSummaryBytes || !strings.HasPrefix(string(got), "### ❌ Galileo regression gate: 0 passed, 4000 failed, 0 errored\n") ||
			strings.Count(string(got), "| ❌ |") != 4000 || !wantNote.Match(got) {
			t.Errorf("summary of a huge report (%d bytes):\n%.300s\n…\n%s", len(got), got, got[max(0, len(got)-300):])
		}
	})

	t.Run("room left in the file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "summary.md")
		earlier := bytes.Repeat([]byte("x"), MaxStepSummaryBytes-2000)
		if err := os.WriteFile(path, earlier, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := AppendStepSummary(sampleReport(t), env(map[string]string{StepSummaryEnv: path})); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		added := string(got[len(earlier):])
		if len(got) > MaxStepSummaryBytes || !strings.HasPrefix(added, "\n### ❌ Galileo regression gate: 1 passed, 1 failed, 2 errored") ||
			!strings.Contains(added, "see the JSON report\n") {
			t.Errorf("appended %d bytes to a file of %d (limit %d):\n%s", len(added), len(earlier), MaxStepSummaryBytes, added)
		}
	})

	t.Run("no room left", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "summary.md")
		earlier := bytes.Repeat([]byte("x"), MaxStepSummaryBytes-20)
		if err := os.WriteFile(path, earlier, 0o644); err != nil {
			t.Fatal(err)
		}
		err := AppendStepSummary(sampleReport(t), env(map[string]string{StepSummaryEnv: path}))
		if err == nil || !strings.Contains(err.Error(), "no room") || !strings.Contains(err.Error(), path) {
			t.Errorf("error = %v, want one saying there is no room in %s", err, path)
		}
		if got, _ := os.ReadFile(path); len(got) != len(earlier) {
			t.Errorf("the file grew from %d to %d bytes", len(earlier), len(got))
		}
	})
}

// bigReport is a synthetic report of n failed experiments with long names,
// each with per thresholds: the first missed, the others met.
func bigReport(n, per int) *Report {
	r := &Report{Backend: BackendRemote}
	for i := range n {
		e := Experiment{Name: fmt.Sprintf("x%04d-%s", i, strings.Repeat("n", 40)), Status: StatusFailed,
			Link: fmt.Sprintf("https://console.example/project/p/experiments/%d", i)}
		for j := range per {
			e.Thresholds = append(e.Thresholds, Threshold{Metric: "correctness", Stat: "avg", Expr: "avg >= 0.95", Actual: fp(0.5 + float64(min(j, 1))/2), Pass: j > 0,
				Bounds: []Bound{{">=", 0.95}}})
		}
		r.Experiments = append(r.Experiments, e)
	}
	return r
}

func TestWriteMarkdown_sizeLimit(t *testing.T) {
	write := func(t *testing.T, r *Report) string {
		t.Helper()
		var buf bytes.Buffer
		if err := WriteMarkdown(&buf, r); err != nil {
			t.Fatal(err)
		}
		if buf.Len() > MaxMarkdownBytes || buf.Len() > 65536 {
			t.Errorf("WriteMarkdown wrote %d bytes, more than %d", buf.Len(), MaxMarkdownBytes)
		}
		if !strings.HasPrefix(buf.String(), MarkdownMarker+"\n### ") {
			t.Errorf("the Markdown does not start with the marker and the heading:\n%.200s", buf.String())
		}
		return buf.String()
	}

	t.Run("met thresholds go first", func(t *testing.T) {
		got := write(t, bigReport(10, 60)) // 600 rows: about 90 KB in full
		if n := strings.Count(got, "| ❌ |"); n != 10 {
			t.Errorf("%d missed thresholds shown, want all 10", n)
		}
		note := regexp.MustCompile(`\n\n… (\d+) more thresholds not shown \((\d+) passed\); see the JSON report\n$`).FindStringSubmatch(got)
		if note == nil || note[1] != note[2] {
			t.Fatalf("no closing note naming only passed thresholds:\n%s", got[max(0, len(got)-300):])
		}
		if shown := strings.Count(got, "| ✅ |"); strconv.Itoa(590-shown) != note[1] {
			t.Errorf("%d met thresholds shown, the note says %s of 590 cut", shown, note[1])
		}
		if !strings.Contains(got, "### ❌ Galileo regression gate: 0 passed, 10 failed, 0 errored\n\n600 thresholds, 10 missed") {
			t.Errorf("the heading does not count the whole report:\n%.300s", got)
		}
	})

	t.Run("then missed ones beyond what fits", func(t *testing.T) {
		got := write(t, bigReport(4000, 3))
		if strings.Contains(got, "| ✅ |") || !strings.Contains(got, "| x0000-") {
			t.Errorf("want no met thresholds and the first missed one:\n%.500s", got)
		}
		shown := strings.Count(got, "| ❌ |")
		want := fmt.Sprintf("\n\n… %d more thresholds not shown (8000 passed, %d missed); see the JSON report\n", 12000-shown, 4000-shown)
		if shown < 100 || !strings.HasSuffix(got, want) {
			t.Errorf("%d missed thresholds shown; want at least 100 and the note %q, got the end\n%s", shown, want, got[max(0, len(got)-200):])
		}
	})

	t.Run("long error texts", func(t *testing.T) {
		r := &Report{}
		for i := range 3 {
			r.Experiments = append(r.Experiments, Experiment{Name: fmt.Sprintf("e%d", i), Status: StatusError,
				Error: "first line\n" + strings.Repeat("é", 40<<10)}) // 80 KB each
		}
		got := write(t, r)
		if n := strings.Count(got, "| ❌ error |"); n != 3 {
			t.Errorf("%d experiment rows, want 3", n)
		}
		if !strings.Contains(got, "**e0** could not run:\n\n```text\nfirst line\n") || !utf8.ValidString(got) ||
			!strings.HasSuffix(got, "\n… 3 error texts shortened; see the JSON report\n") {
			t.Errorf("want each error text shortened, valid UTF-8, and a note; got\n%s", got[max(0, len(got)-300):])
		}
	})

	t.Run("small report unchanged", func(t *testing.T) {
		got := write(t, sampleReport(t))
		if strings.Contains(got, "see the JSON report") {
			t.Errorf("a small report was cut:\n%s", got)
		}
	})
}
