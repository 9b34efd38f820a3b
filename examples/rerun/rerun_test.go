package rerun

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileotest"
)

// calculator answers the fixture's arithmetic questions.
func calculator(ctx context.Context, row galileotest.Row) (string, error) {
	var a, b int
	var op byte
	if _, err := fmt.Sscanf(strings.TrimSuffix(row.Input, "?"), "%d%c%d", &a, &op, &b); err != nil {
		return "", fmt.Errorf("cannot parse %q: %w", row.Input, err)
	}
	switch op {
	case '+':
		return fmt.Sprint(a + b), nil
	case '/':
		return fmt.Sprint(a / b), nil
	}
	return "", fmt.Errorf("unknown operator %q", op)
}

func TestNightly(t *testing.T) {
	exps, err := fixtures.LoadFile("testdata/nightly.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := galileotest.New(t, galileotest.WithFunc("calculator", calculator))
	first := h.Run(galileotest.Experiment(exps[0]))
	second := h.Run(galileotest.Experiment(exps[0]))
	t.Logf("first run: %s, second run: %s", first.Report.RunName, second.Report.RunName)
	if h.Runner().Backend() == "emulator" {
		// A fresh emulator has no earlier runs.
		if first.Report.RunName != "nightly" || second.Report.RunName != "nightly-rerun-1" {
			t.Errorf("names %q and %q, want nightly and nightly-rerun-1", first.Report.RunName, second.Report.RunName)
		}
	}
	if first.Report.RunName == second.Report.RunName {
		t.Errorf("both runs are named %q", first.Report.RunName)
	}
}
