// Command galileotest runs Galileo experiment fixtures as a regression
// gate, validates them, re-judges experiments that already ran, and serves
// the Galileo API emulator.
//
// # Quick start
//
//	# check every fixture offline: schema, dataset files, thresholds
//	galileotest validate evals/
//	# run them (remote API with GALILEO_API_KEY, else the in-process emulator)
//	galileotest run evals/ --junit report.xml --html report.html
//	# assert other thresholds against an experiment that already ran
//	galileotest rejudge --experiment support-bot-20250101T120000Z-1a2b3c \
//		--expect 'correctness: avg >= 0.9' --expect 'latency: p95 <= 2s'
//	# serve the emulator for other processes and SDKs
//	galileotest emulator --addr 127.0.0.1:8088 --api-key KEY
//
// Usage:
//
//	galileotest <command> [flags]
//
// Commands:
//
//	run        run fixtures (files or folders) and assert their thresholds
//	validate   check fixtures offline, or with --online against the API
//	rejudge    assert thresholds against an experiment that already ran
//	merge      join the JSON reports of a gate's shards into one report
//	emulator   serve the in-process Galileo API emulator on loopback
//
// Run "galileotest <command> --help" for a command's flags. Flags and
// operands may come in any order; "--" ends the flags.
//
// Exit codes (run, validate, rejudge, merge):
//
//	0  every threshold met (validate: every fixture valid)
//	1  a threshold was missed
//	2  bad input: a fixture, a flag, a path, a report path or the configuration
//	3  infrastructure: authentication, network, server errors or a timeout
//
// When several apply, 2 wins over 1, and 1 over 3. In a GitHub Actions job
// (GITHUB_ACTIONS=true) run, rejudge and merge also print an ::error
// annotation at the fixture line of every missed threshold and broken
// fixture.
//
// The settings come from the environment as for go test (package config):
// GALILEO_API_KEY or GALILEO_JWT_TOKEN, GALILEO_API_URL or
// GALILEO_CONSOLE_URL, GALILEO_PROJECT or GALILEO_PROJECT_ID, and
// GALILEOTEST_BACKEND (auto, remote or emulator). The README next to this
// file documents every command, flag and report.
package main
