package assert

import (
	"strings"
	"testing"
)

func TestParse_baseline(t *testing.T) {
	tests := []struct {
		metric, expr, canon string
		offset              float64
	}{
		{"correctness", "avg >= baseline - 0.02", "avg >= baseline - 0.02", -0.02},
		{"correctness", "avg>=baseline-0.02", "avg >= baseline - 0.02", -0.02},
		{"correctness", "avg >= baseline -0.02", "avg >= baseline - 0.02", -0.02},
		{"latency", "p95 <= baseline + 200ms", "p95 <= baseline + 200ms", 2e8},
		{"correctness", "avg >= BASELINE", "avg >= baseline", 0},
		{"correctness", "avg >= baseline - 2%", "avg >= baseline - 2%", -0.02},
	}
	for _, tc := range tests {
		th, err := Parse(tc.metric, tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		off, ok := th.Baseline()
		if !ok || th.String() != tc.canon || off != tc.offset {
			t.Errorf("%s: %q offset %v %v; want %q %v", tc.expr, th.String(), off, ok, tc.canon, tc.offset)
		}
		if back := MustParse(tc.metric, th.String()); back != th {
			t.Errorf("%s: does not round-trip", tc.expr)
		}
	}
	th := MustParse("correctness", "avg >= baseline - 0.02")
	if got := th.AgainstBaseline(0.85).String(); got != "avg >= 0.83" {
		t.Errorf("AgainstBaseline = %q", got)
	}
	if got := MustParse("latency", "p95 <= baseline + 200ms").AgainstBaseline(1e9).String(); got != "p95 <= 1200ms" {
		t.Errorf("AgainstBaseline = %q", got)
	}
	if MustParse("c", "avg >= 0.8").AgainstBaseline(1).String() != "avg >= 0.8" {
		t.Error("AgainstBaseline changed a plain threshold")
	}
}

func TestParse_baselineErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"sum >= baseline", "column 8: only avg and the percentiles"},
		{"avg == baseline", "column 5: == cannot compare with a baseline"},
		{"avg >= baseline 0.02", "column 17: expected + or - and an offset after baseline"},
		{"avg >= baseline - $1", `unit "$" does not apply`},
		{"avg >= baseline - -1", "write the offset without a second sign"},
	}
	for _, tc := range tests {
		_, err := Parse("correctness", tc.expr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.expr, err, tc.want)
		}
	}
}
