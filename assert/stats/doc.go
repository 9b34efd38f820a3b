// Package stats holds the statistics behind the harness's verdicts:
// confidence intervals for a mean, a pass rate, a percentile and a paired
// difference, and the number of rows a verdict would need. It has no
// dependencies beyond the standard library.
//
// # Quick start
//
//	// 17 of 20 rows right: is the pass rate at least 0.8?
//	iv, err := stats.Wilson(17, 20, 0.95)
//	if err != nil {
//		return err
//	}
//	fmt.Printf("%.2f [%.2f, %.2f]\n", 17.0/20, iv.Low, iv.High) // 0.85 [0.64, 0.95]
//	// 0.8 lies inside the interval: the 20 rows cannot tell.
//
//	// A continuous score, rows repeated three times (clustered by row):
//	iv, err = stats.MeanInterval(values, rows, 0.95)
//
// # Methods and formulas
//
// Every interval is two-sided at the given level (0.95 for 95%), with
// alpha = 1 - level and z the standard normal quantile at 1 - alpha/2.
//
// Wilson score interval, for the share of rows that pass (scores 0 or 1,
// and rate(v)), with p = k/n (Wilson 1927; recommended by Newcombe 1998 and
// by Miller 2024, "Adding Error Bars to Evals", arXiv 2411.00640, for
// small n and rates near 0 or 1):
//
//	centre = (p + z²/2n) / (1 + z²/n)
//	half   = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)
//
// At k = 0 its upper end is close to the "rule of three", 3/n at 95%
// ([RuleOfThree] gives -ln(alpha)/n exactly); the interval never leaves
// [0, 1] and is not degenerate at p = 0 or 1, unlike the normal
// approximation.
//
// Student t interval, for the mean of continuous scores (Miller 2024,
// section 2): mean ± t(1-alpha/2, n-1)·s/sqrt(n), with s the sample
// standard deviation. t quantiles come from the regularized incomplete beta
// function (continued fraction, Lentz's method; Numerical Recipes 6.4),
// inverted by bisection; they match published t tables to 3 decimals. The
// t interval was chosen over a bootstrap because it is deterministic (a
// verdict must not change between two evaluations of the same rows) and
// needs no resampling; with 20 or more rows the difference is small.
//
// Clustered rows: when a row is scored several times (repeats), the scores
// of one row are not independent. The mean is then taken within each row
// first and the interval is the t interval over the row means with
// (rows - 1) degrees of freedom. For equal cluster sizes this is the
// cluster-robust standard error of Miller 2024, section 3, without its
// small-sample inflation; it is never narrower than treating each repeat as
// a row when repeats agree more with each other than with other rows.
//
// Paired difference, for a comparison against a baseline on the same rows
// (Miller 2024, section 4): the t interval of the per-row differences
// a_i - b_i. Pairing removes the variance the two runs share (hard rows
// stay hard), so it is narrower than comparing two independent intervals.
//
// Percentiles use the distribution-free order-statistic interval (Conover,
// "Practical Nonparametric Statistics", 3rd ed., section 3.2): with the
// values sorted x(1) ≤ … ≤ x(n) and X ~ Binomial(n, q), the interval is
// [x(l), x(u)] with l the largest rank with P(X ≤ l-1) ≤ alpha/2 and u the
// smallest with P(X ≥ u) ≤ alpha/2. With too few rows one end does not
// exist (e.g. the upper end of p95 at 95% needs 72 rows); it is then
// infinite, and a threshold on that side cannot be decided.
//
// Rows to decide: for a threshold value c, the number of rows at which the
// interval would stop containing c if the estimate and its spread stayed
// as observed: z²·p(1-p)/(p-c)² for a rate, (z·s/(mean-c))² for a mean.
// It is a guide for the size of a dataset, not a promise.
//
// Every function returns an error rather than NaN: for no values, a value
// that is NaN or infinite, a level outside (0, 1), or too few values for
// the method (a t interval needs two rows).
package stats
