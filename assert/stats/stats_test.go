package stats

import (
	"errors"
	"math"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6f, want %.6f (±%g)", what, got, want, tol)
	}
}

// Two-sided critical values t(1-alpha/2, df) from a published t table
// (e.g. NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2).
func TestTQuantile_Table(t *testing.T) {
	tests := []struct {
		p, df, want float64
	}{
		{0.975, 1, 12.706}, {0.975, 2, 4.303}, {0.975, 5, 2.571}, {0.975, 10, 2.228},
		{0.975, 19, 2.093}, {0.975, 30, 2.042}, {0.975, 100, 1.984},
		{0.95, 10, 1.812}, {0.95, 1, 6.314}, {0.995, 5, 4.032}, {0.995, 20, 2.845},
		{0.9, 15, 1.341}, {0.99, 60, 2.390},
		{0.025, 19, -2.093},
	}
	for _, tc := range tests {
		near(t, "TQuantile", TQuantile(tc.p, tc.df), tc.want, 1e-3)
	}
	near(t, "TQuantile(df=inf)", TQuantile(0.975, math.Inf(1)), 1.959964, 1e-6)
	near(t, "NormalQuantile", NormalQuantile(0.975), 1.959964, 1e-6)
	near(t, "NormalQuantile", NormalQuantile(0.995), 2.575829, 1e-6)
}

func TestTCDF_Symmetric(t *testing.T) {
	for _, df := range []float64{1, 3, 29} {
		for _, x := range []float64{0.1, 1, 2.5} {
			near(t, "TCDF(x)+TCDF(-x)", TCDF(x, df)+TCDF(-x, df), 1, 1e-12)
		}
	}
	near(t, "TCDF(0)", TCDF(0, 7), 0.5, 1e-12)
	// Cauchy (df=1): CDF(1) = 3/4.
	near(t, "TCDF(1, 1)", TCDF(1, 1), 0.75, 1e-12)
}

// Published Wilson intervals: Newcombe (1998), "Two-sided confidence
// intervals for the single proportion: comparison of seven methods",
// Statistics in Medicine 17, table II, method 3 (score, no continuity
// correction).
func TestWilson_Newcombe(t *testing.T) {
	tests := []struct {
		k, n, lo, hi float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
	}
	for _, tc := range tests {
		iv, err := Wilson(tc.k, tc.n, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "low", iv.Low, tc.lo, 1e-4)
		near(t, "high", iv.High, tc.hi, 1e-4)
		if iv.Method != MethodWilson {
			t.Errorf("method %q", iv.Method)
		}
	}
}

// The cases of the verdict: "avg >= 0.8" at 95%.
func TestWilson_Threshold(t *testing.T) {
	tests := []struct {
		k, n    float64
		verdict string
	}{
		{17, 20, "inconclusive"}, {340, 400, "passed"}, {300, 400, "failed"},
	}
	for _, tc := range tests {
		iv, err := Wilson(tc.k, tc.n, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		got := "inconclusive"
		switch {
		case iv.Low >= 0.8:
			got = "passed"
		case iv.High < 0.8:
			got = "failed"
		}
		if got != tc.verdict {
			t.Errorf("%v/%v: [%.4f, %.4f] is %s, want %s", tc.k, tc.n, iv.Low, iv.High, got, tc.verdict)
		}
	}
	iv, _ := Wilson(17, 20, 0.95)
	near(t, "17/20 low", iv.Low, 0.6396, 1e-4)
	near(t, "17/20 high", iv.High, 0.9476, 1e-4)
	// About 196 rows would decide 0.85 against 0.8.
	if n := RowsToDecide(iv, 0.8); n < 190 || n > 200 {
		t.Errorf("RowsToDecide = %d, want about 196", n)
	}
}

// When every row agrees, the count comes from the Wilson bound itself: at
// that many rows (all right, or all wrong) the interval excludes the
// threshold, one row fewer it does not.
func TestRowsToDecide_unanimous(t *testing.T) {
	for _, tc := range []struct {
		k, c float64 // k of 5 right: 5 (all) or 0 (none)
		want int
	}{
		{5, 0.95, 73}, // 0.95·1.96²/0.05 = 72.99
		{5, 0.9, 35},
		{0, 0.05, 73},
	} {
		iv, err := Wilson(tc.k, 5, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		n := RowsToDecide(iv, tc.c)
		if n != tc.want {
			t.Errorf("%v/5 against %v: RowsToDecide = %d, want %d", tc.k, tc.c, n, tc.want)
		}
		share := tc.k / 5
		at, _ := Wilson(share*float64(n), float64(n), 0.95)
		before, _ := Wilson(share*float64(n-1), float64(n-1), 0.95)
		excludes := func(iv Interval) bool { return tc.c < iv.Low || tc.c > iv.High }
		if !excludes(at) || excludes(before) {
			t.Errorf("%v/5 against %v: at %d rows [%v, %v], at %d rows [%v, %v]", tc.k, tc.c, n, at.Low, at.High, n-1, before.Low, before.High)
		}
	}
	// A mean with no spread cannot say how many rows would decide it.
	if n := RowsToDecide(Interval{Low: 0.5, High: 0.5, Level: 0.95, Method: MethodT, N: 5, Estimate: 0.5}, 0.4); n != 0 {
		t.Errorf("t interval excluding c: %d, want 0", n)
	}
}

func TestRuleOfThree(t *testing.T) {
	near(t, "RuleOfThree(100)", RuleOfThree(100, 0.95), 0.029957, 1e-6)
	if !math.IsNaN(RuleOfThree(0, 0.95)) {
		t.Error("RuleOfThree(0) is not NaN")
	}
}

func TestMeanInterval(t *testing.T) {
	// mean 5, sd sqrt(2.5), n 5: 5 ± 2.776·1.5811/2.2361 = 5 ± 1.9632
	iv, err := MeanInterval([]float64{3, 4, 5, 6, 7}, nil, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "low", iv.Low, 3.0368, 1e-3)
	near(t, "high", iv.High, 6.9632, 1e-3)
	if iv.Method != MethodT || iv.N != 5 {
		t.Errorf("method %s n %d", iv.Method, iv.N)
	}
	// Repeats are averaged within their row first.
	iv, err = MeanInterval([]float64{1, 0, 1, 1, 1, 1, 0, 0, 0}, []string{"a", "a", "a", "b", "b", "b", "c", "c", "c"}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if iv.Method != MethodClusteredT || iv.N != 3 {
		t.Errorf("clustered: method %s n %d", iv.Method, iv.N)
	}
	near(t, "clustered estimate", iv.Estimate, (2.0/3+1+0)/3, 1e-12)
	if _, err := MeanInterval([]float64{1}, nil, 0.95); !errors.Is(err, ErrTooFew) {
		t.Errorf("one row: %v", err)
	}
}

func TestPairedInterval(t *testing.T) {
	a := []float64{0.9, 0.8, 0.7, 0.95, 0.85}
	b := []float64{0.8, 0.7, 0.6, 0.85, 0.75}
	iv, err := PairedInterval(a, b, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	// Every difference is 0.1: the interval is the point.
	near(t, "low", iv.Low, 0.1, 1e-9)
	near(t, "high", iv.High, 0.1, 1e-9)
}

// Order-statistic ranks of a median interval at 95%, as tabulated e.g. in
// Conover, Practical Nonparametric Statistics, table A3 (n=10: 2 and 9;
// n=20: 6 and 15; n=30: 10 and 21).
func TestOrderRanks_Median(t *testing.T) {
	tests := []struct{ n, l, u int }{{10, 2, 9}, {20, 6, 15}, {30, 10, 21}}
	for _, tc := range tests {
		l, u := OrderRanks(tc.n, 0.5, 0.95)
		if l != tc.l || u != tc.u {
			t.Errorf("n=%d: ranks %d, %d; want %d, %d", tc.n, l, u, tc.l, tc.u)
		}
	}
	// p95 needs 72 rows for an upper end at 95%.
	if _, u := OrderRanks(71, 0.95, 0.95); u != 72 {
		t.Errorf("n=71: u = %d, want 72 (none)", u)
	}
	if _, u := OrderRanks(72, 0.95, 0.95); u != 72 {
		t.Errorf("n=72: u = %d, want 72", u)
	}
}

func TestQuantileInterval(t *testing.T) {
	xs := make([]float64, 20)
	for i := range xs {
		xs[i] = float64(20 - i) // 20..1
	}
	iv, err := QuantileInterval(xs, 0.5, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if iv.Low != 6 || iv.High != 15 || iv.Estimate != 10 {
		t.Errorf("median interval %+v", iv)
	}
	iv, _ = QuantileInterval(xs, 0.95, 0.95)
	if !math.IsInf(iv.High, 1) {
		t.Errorf("p95 of 20 rows has a finite upper end %v", iv.High)
	}
}

func TestErrors(t *testing.T) {
	if _, err := Wilson(1, 0, 0.95); !errors.Is(err, ErrTooFew) {
		t.Errorf("n=0: %v", err)
	}
	if _, err := Wilson(3, 2, 0.95); err == nil {
		t.Error("k>n: no error")
	}
	if _, err := Wilson(1, 2, 1); err == nil {
		t.Error("level 1: no error")
	}
	if _, err := MeanInterval([]float64{1, math.NaN()}, nil, 0.95); err == nil {
		t.Error("NaN: no error")
	}
	if _, err := QuantileInterval(nil, 0.5, 0.95); !errors.Is(err, ErrTooFew) {
		t.Errorf("empty: %v", err)
	}
	if _, err := MeanInterval([]float64{1, 2}, []string{"a"}, 0.95); err == nil {
		t.Error("row keys of another length: no error")
	}
}
