package report

import (
	"math"
	"testing"
	"time"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		unit string
		want string
	}{
		{2.4e9, UnitNanoseconds, "2.4s"},
		{2e9, UnitNanoseconds, "2s"},
		{350e6, UnitNanoseconds, "350ms"},
		{1.5e3, UnitNanoseconds, "1.5us"},
		{999, UnitNanoseconds, "999ns"},
		{90e9, UnitNanoseconds, "1.5m"},
		{1234567891, UnitNanoseconds, "1.235s"},
		{0, UnitNanoseconds, "0ns"},
		{0.62, UnitDollars, "$0.62"},
		{0.5, UnitDollars, "$0.5"},
		{0.0012345, UnitDollars, "$0.001234"},
		{-0.25, UnitDollars, "-$0.25"},
		{12, UnitDollars, "$12"},
		{0.85, UnitPercent, "85%"},
		{0.95, UnitPercent, "95%"},
		{0.123456, UnitPercent, "12.35%"},
		{1, UnitPercent, "100%"},
		{0.82, UnitNone, "0.82"},
		{0.8234567, UnitNone, "0.8235"},
		{123456, UnitNone, "123456"},
		{1234567.891, UnitNone, "1235000"},
		{0.00001234, UnitNone, "0.00001234"},
		{-3, UnitNone, "-3"},
		{math.NaN(), UnitNone, "NaN"},
		{math.Inf(1), UnitNanoseconds, "+Inf"},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.v, tt.unit); got != tt.want {
			t.Errorf("FormatValue(%v, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
}

func TestFormatAgainst_keepsTheSideOfTheBound(t *testing.T) {
	tests := []struct {
		v      float64
		unit   string
		bounds []Bound
		want   string
	}{
		{0.949996, UnitNone, []Bound{{">=", 0.95}}, "0.949996"},
		{0.949996, UnitNone, nil, "0.95"},
		{0.95, UnitNone, []Bound{{">=", 0.95}}, "0.95"},
		{2000000001, UnitNanoseconds, []Bound{{"<=", 2e9}}, "2.000000001s"},
		{0.50001, UnitDollars, []Bound{{"<=", 0.5}}, "$0.50001"},
		{0.89999, UnitPercent, []Bound{{">=", 0.9}}, "89.999%"},
	}
	for _, tt := range tests {
		if got := formatAgainst(tt.v, tt.unit, tt.bounds); got != tt.want {
			t.Errorf("formatAgainst(%v, %q, %v) = %q, want %q", tt.v, tt.unit, tt.bounds, got, tt.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {-time.Second, "0s"}, {350400 * time.Microsecond, "350ms"},
		{12345 * time.Millisecond, "12.3s"}, {5*time.Minute + 30*time.Second + 400*time.Millisecond, "5m30s"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.d); got != tt.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
