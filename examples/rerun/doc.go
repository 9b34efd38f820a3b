// Package rerun is an example of the rerun naming strategy: the fixture in
// testdata/nightly.yaml says naming: rerun, and the test runs it twice with
// one harness, so the two experiments are named nightly and
// nightly-rerun-1. Galileo experiments are immutable once run, so every
// run needs a name of its own; rerun picks the first free one, and retries
// with the next when another run takes it first.
//
// Run it with
//
//	go test ./examples/rerun
//
// Against the embedded emulator every test run starts from an empty
// project, so the names are always nightly and nightly-rerun-1; against
// Galileo they continue where earlier runs stopped.
package rerun
