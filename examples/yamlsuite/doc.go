// Package yamlsuite is an example suite written in YAML only: the test
// calls galileotest.RunDir on testdata/evals, and each fixture there
// declares its experiments, dataset, prompt, metrics and thresholds.
//
// Run it with
//
//	go test ./examples/yamlsuite
//
// Without Galileo credentials (and outside CI) the suite runs against the
// embedded emulator, whose built-in models ground-truth and echo the
// fixtures use. With GALILEO_API_KEY set it runs against Galileo, where
// those model names do not exist: point the fixtures' model at one of your
// own first.
package yamlsuite
