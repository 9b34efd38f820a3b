package config_test

import (
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/config"
)

func TestLoad_EmulatorModes(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		config.EnvEmulatorStructuredAggregates: "false",
		config.EnvEmulatorPublishAggregates:    " At-Completion ",
		config.EnvEmulatorJudgeNoise:           "0.1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.EmulatorNoStructuredAggregates || c.EmulatorPublishAggregates != config.EmulatorPublishAtCompletion {
		t.Errorf("got no-structured=%v publish=%q, want true and %q", c.EmulatorNoStructuredAggregates, c.EmulatorPublishAggregates, config.EmulatorPublishAtCompletion)
	}
	if c.EmulatorJudgeNoise != 0.1 {
		t.Errorf("judge noise %v, want 0.1", c.EmulatorJudgeNoise)
	}
	if c, err := config.Load(env(nil)); err != nil || c.EmulatorNoStructuredAggregates || c.EmulatorPublishAggregates != "" {
		t.Errorf("defaults: %+v %v, want structured aggregates on and the emulator's publishing rule", c, err)
	}
	_, err = config.Load(env(map[string]string{
		config.EnvEmulatorStructuredAggregates: "sometimes",
		config.EnvEmulatorPublishAggregates:    "hourly",
		config.EnvEmulatorJudgeNoise:           "1.5",
	}))
	for _, want := range []string{
		`GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES: "sometimes" is not a boolean`,
		`GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES: "hourly" is not one of incremental, at-completion`,
		`GALILEOTEST_EMULATOR_JUDGE_NOISE: "1.5" is not a number from 0 to 1`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to contain %q", err, want)
		}
	}
	_, err = config.Load(env(nil), config.WithOverride(func(c *config.Config) { c.EmulatorPublishAggregates = "never" }))
	if err == nil || !strings.Contains(err.Error(), `"never" is not one of incremental, at-completion`) {
		t.Errorf("override error %v, want the value named", err)
	}
	_, err = config.Load(env(nil), config.WithOverride(func(c *config.Config) { c.EmulatorJudgeNoise = -1 }))
	if err == nil || !strings.Contains(err.Error(), "-1 is not a number from 0 to 1") {
		t.Errorf("override error %v, want the noise named", err)
	}
}
