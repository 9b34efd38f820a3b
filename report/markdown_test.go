package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		r := &Report{}
		for range 4000 {
			e := Experiment{Name: strings.Repeat("x", 40), Status: StatusFailed}
			for range 3 {
				e.Thresholds = append(e.Thresholds, Threshold{Metric: "correctness", Stat: "avg", Expr: "avg >= 0.95", Actual: fp(0.5)})
			}
			r.Experiments = append(r.Experiments, e)
		}
		path := filepath.Join(t.TempDir(), "summary.md")
		if err := AppendStepSummary(r, env(map[string]string{StepSummaryEnv: path})); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if len(got) > 1<<20 || !strings.HasPrefix(string(got), "### ❌ Galileo regression gate: 0 passed, 4000 failed, 0 errored\n") ||
			!strings.Contains(string(got), "too large for a step summary") {
			t.Errorf("summary of a huge report (%d bytes):\n%.300s", len(got), got)
		}
	})
}
