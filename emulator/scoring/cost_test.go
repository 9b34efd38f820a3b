package scoring

import (
	"math"
	"testing"
)

func TestCountTokens(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"", 0},
		{"   \n\t", 0},
		{"hello", 1},
		{"Hello, world!", 4},
		{"internationalization", 3}, // 20 runes: 3 started blocks of 8
		{"abcdefgh", 1},
		{"abcdefghi", 2},
		{"3.14", 3},
		{"don't", 3},
		{"a+b=c", 5},
		{"héllo wörld", 2},
	}
	for _, tt := range tests {
		if got := CountTokens(tt.in); got != tt.want {
			t.Errorf("CountTokens(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestPriceOf(t *testing.T) {
	tests := []struct {
		model, key string
	}{
		{"gpt-4o", "gpt-4o"},
		{"GPT-4o", "gpt-4o"},
		{"gpt-4o-mini", "gpt-4o-mini"},
		{"GPT-4o mini", "gpt-4o-mini"},
		{"gpt-4o-2024-08-06", "gpt-4o"},
		{"gpt-4o-mini-2024-07-18", "gpt-4o-mini"},
		{"openai/gpt-4.1-mini", "gpt-4.1-mini"},
		{"gpt-4.1", "gpt-4.1"},
		{"claude-3-5-haiku-20241022", "claude-3-5-haiku"},
		{"claude-sonnet-4-20250514", "claude-sonnet-4"},
		{"echo", "echo"},
		{"gpt-4o2", DefaultPriceKey},
		{"llama-3", DefaultPriceKey},
		{"", DefaultPriceKey},
		{"default", DefaultPriceKey},
	}
	table := PriceTable()
	for _, tt := range tests {
		p, key := PriceOf(tt.model)
		if key != tt.key || p != table[tt.key] {
			t.Errorf("PriceOf(%q) = %v, %q; want %v, %q", tt.model, p, key, table[tt.key], tt.key)
		}
	}
}

func TestPriceTable(t *testing.T) {
	table := PriceTable()
	for _, k := range []string{"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "claude-3-5-haiku", "claude-sonnet-4", "echo", DefaultPriceKey} {
		if _, ok := table[k]; !ok {
			t.Errorf("PriceTable() has no %q entry", k)
		}
	}
	if table["echo"] != (Price{}) {
		t.Errorf("echo price = %v, want zero", table["echo"])
	}
	table["gpt-4o"] = Price{}
	if PriceTable()["gpt-4o"] == (Price{}) {
		t.Error("PriceTable() returned a shared map: a caller's change leaked into the next call")
	}
}

func TestCost(t *testing.T) {
	tests := []struct {
		model   string
		in, out int64
		want    float64
	}{
		{"gpt-4o", 1_000_000, 1_000_000, 12.50},
		{"gpt-4o-mini", 1000, 500, 1000*0.15/1e6 + 500*0.60/1e6},
		{"claude-sonnet-4", 2000, 1000, 0.006 + 0.015},
		{"echo", 12345, 678, 0},
		{"unknown-model", 1_000_000, 0, 1.00},
		{"unknown-model", 0, 1_000_000, 3.00},
		{"gpt-4o", -5, -5, 0},
		{"gpt-4o", 0, 0, 0},
	}
	for _, tt := range tests {
		if got := Cost(tt.model, tt.in, tt.out); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Cost(%q, %d, %d) = %v, want %v", tt.model, tt.in, tt.out, got, tt.want)
		}
	}
}
