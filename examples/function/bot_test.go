package function

import (
	"context"
	"testing"

	"github.com/galileo-community/galileo-go/galileotest"
)

func newBot() *Bot {
	return &Bot{Model: "gpt-4o-mini", Knowledge: map[string]string{
		"password": "Use the Forgot password link on the sign-in page.",
		"refund":   "Refunds are possible within 30 days of purchase only.",
		"sign-on":  "Single sign-on is included in the Business and Enterprise plans.",
		"export":   "Open Settings, then Data, then choose Export.",
	}}
}

// answer adapts Bot.Answer to galileotest.Func.
func answer(bot *Bot) galileotest.Func {
	return func(ctx context.Context, row galileotest.Row) (string, error) {
		return bot.Answer(ctx, row.Input)
	}
}

func TestSupportBot(t *testing.T) {
	h := galileotest.New(t, galileotest.WithFunc("answer", answer(newBot())))
	res := h.Run(galileotest.Experiment{
		Name:     "support-bot",
		Project:  "galileo-go-examples",
		Dataset:  galileotest.DatasetFile("testdata/questions.jsonl"),
		Function: "answer",
		// Token counts are system metrics: Galileo computes them for every
		// row, but listing one here makes the harness wait for it.
		Metrics: []string{"correctness", "context_adherence", "num_total_tokens"},
	})
	// Check reports a miss with Errorf and carries on, so every failing
	// metric shows up in one run.
	res.Check(t, "correctness", "avg >= 0.95")
	res.Check(t, "context_adherence", "p50 >= 0.9")
	res.Check(t, "latency", "p95 <= 2s")
	res.Check(t, "cost", "sum <= $0.01")
	res.Check(t, "num_total_tokens", "avg <= 200")
}
