package main

import (
	"bytes"
	"strings"
	"testing"
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
