package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
)

func TestEmulator_JudgeNoiseFlag(t *testing.T) {
	var errOut bytes.Buffer
	opts, code := emulatorOptions([]string{"--judge-noise", "0.1"}, &errOut)
	if code != -1 || opts.JudgeNoise != 0.1 {
		t.Fatalf("code %d, JudgeNoise %v, stderr %q", code, opts.JudgeNoise, errOut.String())
	}
	errOut.Reset()
	if _, code = emulatorOptions([]string{"--judge-noise", "2"}, &errOut); code != 2 || !strings.Contains(errOut.String(), "--judge-noise 2: expected a number from 0 to 1") {
		t.Fatalf("code %d, stderr %q", code, errOut.String())
	}
}

func TestCalibrate(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t, emulator.Options{ScoringDelay: time.Millisecond, JudgeNoise: 0.2, Seed: 3})
	r := cli(t, env, "calibrate", "testdata/evals/pass.yaml", "--runs", "3")
	if r.code != exitOK || !strings.Contains(r.stdout, "calibrated echo-bot: 3 runs of 2 rows") || !strings.Contains(r.stdout, "correctness ") {
		t.Fatalf("%v", r)
	}
	t.Log(r.stdout)
	r = cli(t, env, "calibrate", "testdata/evals/pass.yaml", "--runs", "1")
	if r.code != exitBadInput {
		t.Fatalf("--runs 1: %v", r)
	}
	oneLine(t, r, "--runs 1: expected at least 2")
}
