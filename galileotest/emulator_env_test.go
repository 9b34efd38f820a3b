package galileotest

import (
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/emulator"
)

// The emulator backend's emulator takes its aggregate modes from
// GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES and
// GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES.
func TestEmulatorBackend_ModesFromEnv(t *testing.T) {
	r, err := NewRunner(WithLookupEnv(env{"GALILEOTEST_BACKEND": "emulator",
		"GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES": "false"}.lookup),
		WithEmulatorOptions(emulator.Options{ScoringDelay: time.Millisecond}), WithFunc("answer", echoFunc))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	x := aggregateModeExperiments()[0]
	rep, err := r.Run(t.Context(), x)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != aggregateModeStatus[x.Name] {
		t.Errorf("status %s, want %s: %v", rep.Status, aggregateModeStatus[x.Name], rep.Failures())
	}
	e, ok := r.emu.Experiment(rep.ID)
	if !ok {
		t.Fatalf("experiment %s not on the runner's emulator", rep.ID)
	}
	if len(e.StructuredAggregateMetrics) != 0 {
		t.Errorf("structured_aggregate_metrics %v, want none with GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES=false", e.StructuredAggregateMetrics)
	}
	// Without server aggregates, the system metrics the experiment did not
	// ask for come from the records, as Result.Check needs them.
	if v, err := rep.Judge("num_total_tokens", "sum == 60"); err != nil || !v.Pass {
		t.Errorf("total tokens, not asked for: %+v %v, want 4 rows of 15 from the records", v, err)
	}
}

func TestEmulatorModes(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts emulator.Options
		cfg  config.Config
		want emulator.Options
	}{
		{"nothing set", emulator.Options{}, config.Config{}, emulator.Options{}},
		{"from the environment", emulator.Options{},
			config.Config{EmulatorNoStructuredAggregates: true, EmulatorPublishAggregates: config.EmulatorPublishAtCompletion},
			emulator.Options{DisableStructuredAggregates: true, PublishAggregates: emulator.PublishAtCompletion}},
		{"WithEmulatorOptions wins", emulator.Options{PublishAggregates: emulator.PublishIncremental},
			config.Config{EmulatorPublishAggregates: config.EmulatorPublishAtCompletion},
			emulator.Options{PublishAggregates: emulator.PublishIncremental}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			if err := emulatorModes(&o, &tt.cfg); err != nil {
				t.Fatal(err)
			}
			if o.DisableStructuredAggregates != tt.want.DisableStructuredAggregates || o.PublishAggregates != tt.want.PublishAggregates {
				t.Errorf("got %v/%q, want %v/%q", o.DisableStructuredAggregates, o.PublishAggregates, tt.want.DisableStructuredAggregates, tt.want.PublishAggregates)
			}
		})
	}
	// Every value config accepts is one of the emulator's rules.
	for _, v := range []string{config.EmulatorPublishIncremental, config.EmulatorPublishAtCompletion} {
		if _, err := emulator.ParsePublishAggregates(v); err != nil {
			t.Errorf("config accepts %q, the emulator does not: %v", v, err)
		}
	}
	o := emulator.Options{}
	if err := emulatorModes(&o, &config.Config{EmulatorPublishAggregates: "hourly"}); err == nil || !strings.Contains(err.Error(), config.EnvEmulatorPublishAggregates) {
		t.Errorf("an unknown rule: error %v, want it to name %s", err, config.EnvEmulatorPublishAggregates)
	}
}
