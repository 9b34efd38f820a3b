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
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.EmulatorNoStructuredAggregates || c.EmulatorPublishAggregates != config.EmulatorPublishAtCompletion {
		t.Errorf("got no-structured=%v publish=%q, want true and %q", c.EmulatorNoStructuredAggregates, c.EmulatorPublishAggregates, config.EmulatorPublishAtCompletion)
	}
	if c, err := config.Load(env(nil)); err != nil || c.EmulatorNoStructuredAggregates || c.EmulatorPublishAggregates != "" {
		t.Errorf("defaults: %+v %v, want structured aggregates on and the emulator's publishing rule", c, err)
	}
	_, err = config.Load(env(map[string]string{
		config.EnvEmulatorStructuredAggregates: "sometimes",
		config.EnvEmulatorPublishAggregates:    "hourly",
	}))
	for _, want := range []string{
		`GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES: "sometimes" is not a boolean`,
		`GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES: "hourly" is not one of incremental, at-completion`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to contain %q", err, want)
		}
	}
	_, err = config.Load(env(nil), config.WithOverride(func(c *config.Config) { c.EmulatorPublishAggregates = "never" }))
	if err == nil || !strings.Contains(err.Error(), `"never" is not one of incremental, at-completion`) {
		t.Errorf("override error %v, want the value named", err)
	}
}
