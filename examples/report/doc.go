// Package report is an example of using the verdict every experiment run
// produces (package report's Experiment, the record the run's report
// holds): the test inspects per-metric aggregates and per-threshold
// verdicts, checks one more threshold in Go, and writes the record as JSON.
//
// Run it with
//
//	go test ./examples/report
//	GALILEOTEST_REPORT=$PWD/out/ go test ./examples/report  # also writes the harness's report file
//	go test ./examples/report -artifacts                    # or into the test's artifact directory
//
// The same record comes from galileotest.Evaluate or a galileotest.Runner
// in programs that do not run under go test; the galileotest command uses
// it for its run subcommand.
package report
