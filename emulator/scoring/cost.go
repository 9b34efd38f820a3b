package scoring

import (
	"strings"
	"unicode"
)

// CountTokens returns a deterministic approximation of the number of model
// tokens in s:
//
//   - every run of letters and digits counts 1 token per started 8 runes
//     ("cat" 1, "internationalization" 3);
//   - every other non-space rune (punctuation, symbols, emoji) counts 1;
//   - white space counts 0.
//
// So "Hello, world!" is 4 tokens and "" is 0. The count is close to real
// tokenizers on English prose and is the same on every platform.
func CountTokens(s string) int64 {
	var n int64
	run := 0
	flush := func() {
		if run > 0 {
			n += int64((run + 7) / 8)
			run = 0
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			run++
		case unicode.IsSpace(r):
			flush()
		default:
			flush()
			n++
		}
	}
	flush()
	return n
}

// Price is what a model costs, in US dollars per million tokens.
type Price struct {
	InputPerMillion  float64
	OutputPerMillion float64
}

// DefaultPriceKey is the [PriceTable] entry used for models the table does
// not know.
const DefaultPriceKey = "default"

// PriceTable returns the emulator's model prices (USD per 1M tokens), a fresh
// map on each call:
//
//	model              input   output
//	gpt-4o              2.50    10.00
//	gpt-4o-mini         0.15     0.60
//	gpt-4.1             2.00     8.00
//	gpt-4.1-mini        0.40     1.60
//	claude-3-5-haiku    0.80     4.00
//	claude-sonnet-4     3.00    15.00
//	echo                0.00     0.00   (the emulator's echo model)
//	default             1.00     3.00   (any other model)
//
// The figures are list prices at the time of writing; they exist so that
// cost thresholds behave plausibly, not to bill anyone.
func PriceTable() map[string]Price {
	return map[string]Price{
		"gpt-4o":           {2.50, 10.00},
		"gpt-4o-mini":      {0.15, 0.60},
		"gpt-4.1":          {2.00, 8.00},
		"gpt-4.1-mini":     {0.40, 1.60},
		"claude-3-5-haiku": {0.80, 4.00},
		"claude-sonnet-4":  {3.00, 15.00},
		"echo":             {0, 0},
		DefaultPriceKey:    {1.00, 3.00},
	}
}

// PriceOf returns the price of model and the table key that matched.
//
// The model name is lowercased, anything up to the last '/' is dropped
// ("openai/gpt-4o") and spaces become '-' ("GPT-4o mini" is gpt-4o-mini).
// An exact key wins; otherwise the longest key that is followed by '-' in the
// name matches, so dated versions resolve ("gpt-4o-mini-2024-07-18" is
// gpt-4o-mini, "claude-sonnet-4-20250514" is claude-sonnet-4). Anything else,
// including "", gets the "default" price.
func PriceOf(model string) (Price, string) {
	table := PriceTable()
	m := strings.ToLower(strings.TrimSpace(model))
	if i := strings.LastIndex(m, "/"); i >= 0 {
		m = m[i+1:]
	}
	m = strings.Join(strings.Fields(m), "-")
	if p, ok := table[m]; ok && m != DefaultPriceKey {
		return p, m
	}
	best := ""
	for k := range table {
		if k != DefaultPriceKey && strings.HasPrefix(m, k+"-") && len(k) > len(best) {
			best = k
		}
	}
	if best != "" {
		return table[best], best
	}
	return table[DefaultPriceKey], DefaultPriceKey
}

// Cost returns the US dollar cost of a call to model with the given token
// counts: in*InputPerMillion/1e6 + out*OutputPerMillion/1e6, with the price
// from [PriceOf] (unknown models pay the "default" price). Negative counts
// are treated as 0.
func Cost(model string, inTokens, outTokens int64) float64 {
	p, _ := PriceOf(model)
	return float64(max(inTokens, 0))*p.InputPerMillion/1e6 + float64(max(outTokens, 0))*p.OutputPerMillion/1e6
}
