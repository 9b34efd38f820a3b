package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func annotate(t *testing.T, r *Report, root string) []string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteAnnotations(&buf, r, root); err != nil {
		t.Fatal(err)
	}
	if buf.Len() == 0 {
		return nil
	}
	if !strings.HasSuffix(buf.String(), "\n") {
		t.Errorf("output does not end with a newline: %q", buf.String())
	}
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

func TestWriteAnnotations_sample(t *testing.T) {
	link := "https://console.acme.example/project/p0000000-0000-4000-8000-000000000001/experiments/e0000000-0000-4000-8000-00000000000"
	want := []string{
		"::error file=testdata/evals/summariser.yaml,line=10,title=summariser/correctness::correctness avg = 0.82, want >= 0.9 (20 rows)%0Aconsole: " + link + "2",
		"::error file=testdata/evals/summariser.yaml,line=12,title=summariser/latency::latency p95 = 2.4s, want <= 2s (20 rows)%0Aconsole: " + link + "2",
		"::error file=testdata/evals/summariser.yaml,line=13,title=summariser/cost::cost sum = $0.62, want <= $0.5 (20 rows)%0Aconsole: " + link + "2",
		"::error file=testdata/evals/rag.yaml,line=1,title=rag-answers::timed out after 10m0s waiting for scores%0Alast state: correctness scored for 7 of 10 rows%0Aconsole: " + link + "3",
		`::error file=testdata/evals/classifier.yaml,line=3,title=classifier | v2 <b>::dataset "support-qa" not found in project "acme-support" (known: qa-v1 | qa-v2)`,
	}
	got := annotate(t, sampleReport(t), ".")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("annotations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWriteAnnotations_cases(t *testing.T) {
	tests := []struct {
		name string
		exp  Experiment
		want []string
	}{
		{"passed", Experiment{Name: "a", File: "a.yaml", Line: 1, Status: StatusPassed,
			Thresholds: []Threshold{{Metric: "m", Expr: "avg >= 1", Pass: true, Line: 4}}}, nil},
		{"threshold in Go: the experiment's line", Experiment{Name: "a", File: "a.yaml", Line: 2, Status: StatusFailed,
			Thresholds: []Threshold{{Metric: "m", Explanation: "m avg = 0, want >= 1 (1 rows)"}}},
			[]string{"::error file=a.yaml,line=2,title=a/m::m avg = 0, want >= 1 (1 rows)"}},
		{"no file", Experiment{Name: "go-only", Status: StatusFailed,
			Thresholds: []Threshold{{Metric: "m", Explanation: "missed", Line: 7}}},
			[]string{"::error title=go-only/m::missed"}},
		{"failed without a missed threshold", Experiment{Name: "a", File: "a.yaml", Line: 1, Status: StatusFailed},
			[]string{"::error file=a.yaml,line=1,title=a::the experiment failed"}},
		{"load error without a line", Experiment{Name: "broken", File: "evals/broken.yaml", Status: StatusError, Error: "evals/broken.yaml: cannot read"},
			[]string{"::error file=evals/broken.yaml,title=broken::evals/broken.yaml: cannot read"}},
		{"unknown status, unjudged thresholds left out", Experiment{Name: "a", Status: "cancelled",
			Thresholds: []Threshold{{Metric: "m", Explanation: "not judged"}}},
			[]string{`::error title=a::the experiment ended with status "cancelled"`}},
		{"escaping", Experiment{Name: "a,b: 100%", File: "dir,x/f:1.yaml", Line: 3, Status: StatusError, Error: "50% done\r\nthen: a, b\n"},
			[]string{"::error file=dir%2Cx/f%3A1.yaml,line=3,title=a%2Cb%3A 100%25::50%25 done%0D%0Athen: a, b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := annotate(t, &Report{Experiments: []Experiment{tt.exp}}, "")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("annotations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestWriteAnnotations_limit(t *testing.T) {
	for _, tt := range []struct {
		problems  int
		wantLines int
		wantLast  string
	}{
		{9, 9, "::error file=f.yaml,line=9,"},
		{10, 10, "::error file=f.yaml,line=10,"},
		{11, 10, "::error::… and 2 more problems; see the report"},
		{312, 10, "::error::… and 303 more problems; see the report"},
	} {
		t.Run(fmt.Sprint(tt.problems), func(t *testing.T) {
			e := Experiment{Name: "bot", File: "f.yaml", Line: 1, Status: StatusFailed}
			for i := range tt.problems {
				e.Thresholds = append(e.Thresholds, Threshold{Metric: fmt.Sprintf("m%d", i), Explanation: "missed", Line: i + 1})
			}
			got := annotate(t, &Report{Experiments: []Experiment{e}}, "")
			if len(got) != tt.wantLines || !strings.HasPrefix(got[len(got)-1], tt.wantLast) {
				t.Errorf("%d lines, last %q; want %d lines, last starting %q", len(got), got[len(got)-1], tt.wantLines, tt.wantLast)
			}
		})
	}
}

func TestWriteAnnotations_longMessage(t *testing.T) {
	e := Experiment{Name: "a", Status: StatusError, Error: strings.Repeat("é", 10<<10)}
	got := annotate(t, &Report{Experiments: []Experiment{e}}, "")
	if len(got) != 1 || len(got[0]) > maxAnnotationMessage+100 || !strings.HasSuffix(got[0], "é…") {
		t.Errorf("annotation of %d bytes, ending %q; want it shortened at a character", len(got[0]), got[0][max(0, len(got[0])-10):])
	}
}

func TestRelativePath(t *testing.T) {
	root := t.TempDir()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(filepath.Dir(root), "elsewhere", "f.yaml")
	tests := []struct {
		file, root, want string
	}{
		{filepath.Join(root, "evals", "bot.yaml"), root, "evals/bot.yaml"},
		{filepath.Join(root, "bot.yaml"), root + string(filepath.Separator), "bot.yaml"},
		{outside, root, outside},
		{filepath.Join("testdata", "evals", "bot.yaml"), ".", "testdata/evals/bot.yaml"},
		{filepath.Join("testdata", "evals", "bot.yaml"), filepath.Dir(wd), filepath.Base(wd) + "/testdata/evals/bot.yaml"},
		{filepath.Join("..", "x.yaml"), ".", filepath.Join("..", "x.yaml")},
		{"evals/bot.yaml", "", "evals/bot.yaml"},
		{filepath.Join(root, "..x", "f.yaml"), root, "..x/f.yaml"}, // a name starting with "..", inside
	}
	for _, tt := range tests {
		if got := relativePath(tt.file, tt.root); got != tt.want {
			t.Errorf("relativePath(%q, %q) = %q, want %q", tt.file, tt.root, got, tt.want)
		}
	}
}

func TestEscapeWorkflowCommand(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain text", "plain text", "plain text"},
		{"100%", "100%25", "100%25"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"a:b,c", "a:b,c", "a%3Ab%2Cc"},
		{"%0A literal", "%250A literal", "%250A literal"},
		{"::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}
