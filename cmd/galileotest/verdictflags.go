package main

import (
	"fmt"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileotest"
	"github.com/galileo-community/galileo-go/report"
)

// verdictFlags are --confidence and --on-inconclusive: the confidence
// verdicts for experiments whose declaration sets none.
type verdictFlags struct {
	confidence     string
	onInconclusive string
}

func (v *verdictFlags) register(fs *flagSet) {
	fs.StringVar(&v.confidence, "confidence", "", "judge thresholds on their confidence interval at `LEVEL` (e.g. 95%) where the fixture sets no confidence")
	fs.StringVar(&v.onInconclusive, "on-inconclusive", "", "what an inconclusive verdict does with --confidence: `fail|pass|skip` (default fail)")
}

// options returns the harness options, or a message saying what is wrong.
func (v *verdictFlags) options() ([]galileotest.Option, string) {
	if v.confidence == "" {
		if v.onInconclusive != "" {
			return nil, "--on-inconclusive needs --confidence"
		}
		return nil, ""
	}
	level, err := fixtures.ParseConfidence(v.confidence)
	if err != nil {
		return nil, fmt.Sprintf("--confidence: %v", err)
	}
	switch v.onInconclusive {
	case "", fixtures.OnInconclusiveFail, fixtures.OnInconclusivePass, fixtures.OnInconclusiveSkip:
	default:
		return nil, fmt.Sprintf("--on-inconclusive %q: expected fail, pass or skip", v.onInconclusive)
	}
	return []galileotest.Option{galileotest.WithConfidence(level, v.onInconclusive)}, ""
}

// verdictMark is the four-letter mark of a threshold in the command's
// summary: "ok  ", "MISS", "????" (inconclusive) or "skip".
func verdictMark(t report.Threshold) string {
	switch {
	case t.Skipped:
		return "skip"
	case !t.Pass && t.Verdict == report.VerdictInconclusive:
		return "????"
	case !t.Pass:
		return "MISS"
	}
	return "ok  "
}
