package config

import (
	"errors"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Shard
		wantErr string
	}{
		{in: "", want: Shard{}},
		{in: "  ", want: Shard{}},
		{in: "1/1", want: Shard{1, 1}},
		{in: "2/4", want: Shard{2, 4}},
		{in: " 3 / 3 ", want: Shard{3, 3}},
		{in: "3/2", wantErr: `"3/2" is not a shard: the shard number must be between 1 and 2`},
		{in: "0/2", wantErr: `"0/2" is not a shard: the shard number must be between 1 and 2`},
		{in: "-1/2", wantErr: `the shard number must be between 1 and 2`},
		{in: "1/0", wantErr: `"1/0" is not a shard: the number of shards must be at least 1`},
		{in: "a/b", wantErr: `"a/b" is not a shard: expected i/n, this job's number i of n jobs, such as 1/4`},
		{in: "2", wantErr: `"2" is not a shard: expected i/n`},
		{in: "1/2/3", wantErr: `expected i/n`},
	} {
		got, err := ParseShard(tc.in)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseShard(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.wantErr)
			}
		case err != nil || got != tc.want:
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestShard_String(t *testing.T) {
	if got := (Shard{}).String(); got != "" {
		t.Errorf("zero Shard String = %q, want empty", got)
	}
	if got := (Shard{2, 5}).String(); got != "2/5" {
		t.Errorf("String = %q, want 2/5", got)
	}
}

func TestLoad_Shard(t *testing.T) {
	env := func(m map[string]string) Option {
		return WithLookup(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
	}
	cfg, err := Load(env(map[string]string{EnvShard: "2/3"}))
	if err != nil || cfg.Shard != (Shard{2, 3}) {
		t.Fatalf("Load = %v, %v; want shard 2/3", cfg, err)
	}
	if !strings.Contains(cfg.String(), " shard=2/3 ") {
		t.Errorf("String() = %s; want shard=2/3 in it", cfg)
	}
	cfg, err = Load(env(nil))
	if err != nil || !cfg.Shard.IsZero() || strings.Contains(cfg.String(), "shard=") {
		t.Fatalf("Load without %s = %v, %v; want the zero shard, not shown", EnvShard, cfg, err)
	}

	_, err = Load(env(map[string]string{EnvShard: "3/2"}))
	var ce *Error
	if !errors.As(err, &ce) || ce.Source != EnvShard {
		t.Fatalf("Load(3/2) error = %v; want a *config.Error from %s", err, EnvShard)
	}
	if want := `GALILEOTEST_SHARD: "3/2" is not a shard: the shard number must be between 1 and 2`; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load(3/2) error = %q; want prefix %q", err, want)
	}

	_, err = Load(env(nil), WithOverride(func(c *Config) { c.Shard = Shard{0, 2} }))
	if err == nil || !strings.Contains(err.Error(), "WithOverride: Shard: \"0/2\" is not a shard") {
		t.Errorf("override 0/2: error = %v; want it named as WithOverride: Shard", err)
	}
}
