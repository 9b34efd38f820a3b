// Package report is an example of using the structured Report that every
// experiment run produces: the test inspects per-metric aggregates and
// per-threshold verdicts, and writes the report as JSON.
//
// Run it with
//
//	go test ./examples/report
//	GALILEOTEST_REPORT=$PWD/out/ go test ./examples/report  # also writes the harness's report file
//	go test ./examples/report -artifacts                    # or into the test's artifact directory
//
// The same Report comes from galileotest.Evaluate or a galileotest.Runner
// in programs that do not run under go test; the galileotest command uses
// it for its run subcommand.
package report
