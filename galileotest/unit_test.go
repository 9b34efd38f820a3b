package galileotest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

func TestUniqueName(t *testing.T) {
	now := time.Date(2026, 7, 30, 18, 40, 1, 0, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		sha  string
		want string
	}{
		{sha: "", want: `^support-bot-20260730T164001Z-[0-9a-f]{6}$`},
		{sha: "0123456", want: `^support-bot-20260730T164001Z-[0-9a-f]{6}-0123456$`},
	}
	for _, tt := range tests {
		got := uniqueName("support-bot", now, tt.sha)
		if !regexp.MustCompile(tt.want).MatchString(got) {
			t.Errorf("uniqueName(sha %q) = %q, want match of %s", tt.sha, got, tt.want)
		}
	}
	if a, b := uniqueName("x", now, ""), uniqueName("x", now, ""); a == b {
		t.Errorf("two unique names at the same instant are equal: %q", a)
	}
}

func TestFirstFreeRerun(t *testing.T) {
	tests := []struct {
		taken []string
		want  string
	}{
		{taken: nil, want: "nightly"},
		{taken: []string{"nightly"}, want: "nightly-rerun-1"},
		{taken: []string{"nightly", "nightly-rerun-1", "nightly-rerun-3"}, want: "nightly-rerun-2"},
		{taken: []string{"nightly-rerun-1"}, want: "nightly"},
	}
	for _, tt := range tests {
		taken := map[string]bool{}
		for _, n := range tt.taken {
			taken[n] = true
		}
		if got := firstFreeRerun("nightly", taken); got != tt.want {
			t.Errorf("firstFreeRerun(taken %v) = %q, want %q", tt.taken, got, tt.want)
		}
	}
}

func TestDetectFacts(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want runFacts
	}{
		{name: "none", env: env{}, want: runFacts{Attempt: 1}},
		{
			name: "github pull request",
			env:  env{"GITHUB_ACTIONS": "true", "GITHUB_SHA": "abcdef0123456789", "GITHUB_HEAD_REF": "feature/x", "GITHUB_REF_NAME": "12/merge", "GITHUB_RUN_ID": "99", "GITHUB_RUN_ATTEMPT": "3"},
			want: runFacts{Provider: "github", GitSHA: "abcdef0", Branch: "feature/x", RunID: "99", Attempt: 3},
		},
		{
			name: "github push",
			env:  env{"GITHUB_ACTIONS": "true", "GITHUB_SHA": "abcdef0123456789", "GITHUB_HEAD_REF": "", "GITHUB_REF_NAME": "main", "GITHUB_RUN_ID": "7"},
			want: runFacts{Provider: "github", GitSHA: "abcdef0", Branch: "main", RunID: "7", Attempt: 1},
		},
		{
			name: "gitlab",
			env:  env{"GITLAB_CI": "true", "CI_COMMIT_SHA": "1234567890", "CI_COMMIT_REF_NAME": "dev", "CI_PIPELINE_ID": "555"},
			want: runFacts{Provider: "gitlab", GitSHA: "1234567", Branch: "dev", RunID: "555", Attempt: 1},
		},
		{
			name: "buildkite retry",
			env:  env{"BUILDKITE": "true", "BUILDKITE_COMMIT": "fedcba9876", "BUILDKITE_BRANCH": "main", "BUILDKITE_BUILD_ID": "b-1", "BUILDKITE_RETRY_COUNT": "1"},
			want: runFacts{Provider: "buildkite", GitSHA: "fedcba9", Branch: "main", RunID: "b-1", Attempt: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := detectFacts(t.Context(), tt.env.lookup, false); got != tt.want {
				t.Errorf("detectFacts = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRunFacts_tags(t *testing.T) {
	f := runFacts{Provider: "github", GitSHA: "abc1234", Branch: "main", RunID: "9", Attempt: 2}
	got := f.tags(map[string]string{"team": "qa", TagBranch: "override"})
	want := map[string]string{TagHarness: "galileotest", TagGitSHA: "abc1234", TagBranch: "override", TagCI: "github", TagCIRunID: "9", TagCIAttempt: "2", "team": "qa"}
	if len(got) != len(want) {
		t.Fatalf("tags = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("tag %s = %q, want %q", k, got[k], v)
		}
	}
	if local := (runFacts{Attempt: 1}).tags(nil); len(local) != 1 {
		t.Errorf("tags without facts = %v, want only %s", local, TagHarness)
	}
}

func TestSubtestName(t *testing.T) {
	tests := map[string]string{
		"avg >= 0.95":       "avg_>=_0.95",
		"Context Adherence": "Context_Adherence",
		"a/b":               "a_b",
		"  ":                "_",
	}
	for in, want := range tests {
		if got := subtestName(in); got != want {
			t.Errorf("subtestName(%q) = %q, want %q", in, got, want)
		}
	}
}

// deadlineTB is a TB with a deadline, like *testing.T under go test -timeout.
type deadlineTB struct {
	*recordingTB
	deadline time.Time
}

func (d deadlineTB) Deadline() (time.Time, bool) { return d.deadline, true }

func TestTestContext(t *testing.T) {
	tests := []struct {
		left, wantGrace time.Duration
	}{
		{left: 100 * time.Second, wantGrace: 10 * time.Second},
		{left: 20 * time.Minute, wantGrace: maxGrace},
	}
	for _, tt := range tests {
		dl := time.Now().Add(tt.left)
		ctx, cancel := testContext(deadlineTB{newRecordingTB(t), dl})
		got, ok := ctx.Deadline()
		cancel()
		if !ok {
			t.Fatal("no deadline")
		}
		if grace := dl.Sub(got); grace < tt.wantGrace-time.Second || grace > tt.wantGrace+time.Second {
			t.Errorf("%s left: grace %s, want about %s", tt.left, grace, tt.wantGrace)
		}
	}
	ctx, cancel := testContext(deadlineTB{newRecordingTB(t), time.Now().Add(-time.Second)})
	defer cancel()
	<-ctx.Done()
	if c := context.Cause(ctx); c == nil || !strings.Contains(c.Error(), "go test -timeout deadline") {
		t.Errorf("cause = %v, want the test deadline", c)
	}
}

func TestPromptSettings(t *testing.T) {
	temp, maxTok, logprobs := 0.1, 64, false
	got := promptSettings(&fixtures.Prompt{Model: "gpt-4o-mini", Settings: fixtures.Settings{Temperature: &temp, MaxTokens: &maxTok, Logprobs: &logprobs, StopSequences: []string{"\n"}, DeploymentName: "dep"}})
	want := galileo.DefaultPromptSettings()
	want.ModelAlias, want.Temperature, want.MaxTokens, want.Logprobs, want.StopSequences = "gpt-4o-mini", &temp, 64, false, []string{"\n"}
	if got.ModelAlias != want.ModelAlias || *got.Temperature != temp || got.MaxTokens != 64 || got.Logprobs || len(got.StopSequences) != 1 || got.DeploymentName == nil || *got.DeploymentName != "dep" {
		t.Errorf("promptSettings = %+v", got)
	}
	// Unset fields keep the SDKs' defaults.
	def := promptSettings(&fixtures.Prompt{})
	if d := galileo.DefaultPromptSettings(); def.ModelAlias != d.ModelAlias || def.TopK != d.TopK || def.MaxTokens != d.MaxTokens || *def.Temperature != *d.Temperature {
		t.Errorf("promptSettings(no overrides) = %+v, want the defaults %+v", def, d)
	}
}

func TestReadDatasetFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rows, err := readDatasetFile(write("q.jsonl", `{"input": "2+2?", "ground_truth": "4", "metadata": {"k": 1}}`+"\n"+`{"input": {"q": "x"}}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].GroundTruth != "4" || rows[0].Metadata["k"] != "1" || rows[1].Input != `{"q":"x"}` {
		t.Errorf("jsonl rows = %+v", rows)
	}
	rows, err = readDatasetFile(write("q.csv", "input,ground_truth,metadata_topic\nhello,hi,greet\n"))
	if err != nil || len(rows) != 1 || rows[0].Metadata["topic"] != "greet" {
		t.Errorf("csv rows = %+v, %v", rows, err)
	}
	_, err = readDatasetFile(write("bad.jsonl", `{"input": "a"}`+"\n"+`{"inptu": "b"}`+"\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.jsonl:2: inptu: unknown field") {
		t.Errorf("err = %v, want the file, line and field", err)
	}
}

func TestExperiment_fromFixture(t *testing.T) {
	exps, err := fixtures.LoadFile("testdata/evals/pass.yaml")
	if err != nil {
		t.Fatal(err)
	}
	x := Experiment(exps[0])
	if x.Name != "answers" || x.Function != "answer" || x.File != "testdata/evals/pass.yaml" || len(x.Expect) != 2 {
		t.Errorf("Experiment(fixture) = %+v", x)
	}
	p, err := newPlan(fixtures.Experiment(x), map[string]Func{"answer": echoFunc})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.rows) != 3 || p.timeout != fixtures.DefaultTimeout || p.concurrency != fixtures.DefaultConcurrency || p.naming.Strategy != fixtures.NamingUnique {
		t.Errorf("plan: %d rows, timeout %s, concurrency %d, naming %q", len(p.rows), p.timeout, p.concurrency, p.naming.Strategy)
	}
}

func TestReport_Metric(t *testing.T) {
	rep := goldenReport()
	rep.Metrics = append(rep.Metrics, report.Metric{Name: "latency", Key: "duration_ns"})
	tests := map[string]string{
		"correctness": "correctness", "Correctness": "correctness", "aed89cbc-5515-43c3-87ae-39c3c44c043e": "correctness",
		"latency": "latency", "duration_ns": "latency", "LATENCY": "latency",
	}
	for name, want := range tests {
		if m := rep.Metric(name); m == nil || m.Name != want {
			t.Errorf("Metric(%q) = %+v, want %s", name, m, want)
		}
	}
	if m := rep.Metric("bleu"); m != nil {
		t.Errorf("Metric(bleu) = %+v, want nil", m)
	}
	if _, err := rep.Judge("bleu", "avg >= 0.5"); err == nil || !strings.Contains(err.Error(), "scored: correctness, latency") {
		t.Errorf("Judge on an unscored metric: %v", err)
	}
	if _, err := rep.Judge("correctness", "avg >== 1"); err == nil || !strings.Contains(err.Error(), "column 7") {
		t.Errorf("Judge with a malformed threshold: %v", err)
	}
}

func TestWriteReportPath(t *testing.T) {
	dir := t.TempDir()
	rep := &report.Report{Backend: report.BackendEmulator, Experiments: []report.Experiment{{Name: "x", Status: report.StatusPassed}}}
	tests := []struct{ path, want string }{
		{path: filepath.Join(dir, "r.json"), want: filepath.Join(dir, "r.json")},
		{path: dir, want: filepath.Join(dir, "TestX_sub.json")},
		{path: filepath.Join(dir, "new") + "/", want: filepath.Join(dir, "new", "TestX_sub.json")},
		{path: filepath.Join(dir, "deep", "er", "r.json"), want: filepath.Join(dir, "deep", "er", "r.json")},
	}
	for _, tt := range tests {
		got, err := writeReportPath(t.Context(), tt.path, "TestX/sub", rep)
		if err != nil || got != tt.want {
			t.Errorf("writeReportPath(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
			continue
		}
		if doc := readReportFile(t, got); len(doc.Experiments) != 1 || doc.Experiments[0].Name != "x" {
			t.Errorf("%s holds %+v; want the report written", got, doc.Experiments)
		}
	}
}
