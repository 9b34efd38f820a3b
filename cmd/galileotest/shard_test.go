package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRun_Shard: run --shard i/n (or GALILEOTEST_SHARD=i/n) runs a part of
// the experiments; over i = 1..n the parts are disjoint and complete, and
// a shard left without experiments exits 0 with a note.
func TestRun_Shard(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t)
	all := []string{"echo-bot", "shouting-bot"} // testdata/evals
	for n := 1; n <= 3; n++ {
		var union []string
		for i := 1; i <= n; i++ {
			out := filepath.Join(t.TempDir(), "r.json")
			args := []string{"run", "--json", out, "testdata/evals/"}
			v := env
			if i%2 == 0 { // the flag and the variable are the same setting
				v = env.with("GALILEOTEST_SHARD", fmt.Sprintf("%d/%d", i, n))
			} else {
				args = slices.Insert(args, 1, "--shard", fmt.Sprintf("%d/%d", i, n))
			}
			r := cli(t, v, args...)
			var names []string
			for _, e := range readReport(t, out).Experiments {
				names = append(names, e.Name)
			}
			wantCode := exitOK
			if slices.Contains(names, "shouting-bot") {
				wantCode = exitFailed // it misses a threshold
			}
			if r.code != wantCode {
				t.Errorf("shard %d/%d: exit %d, want %d\n%v", i, n, r.code, wantCode, r)
			}
			if n > 1 && !strings.Contains(r.stderr, fmt.Sprintf("shard %d/%d: running %d of 2 experiments", i, n, len(names))) {
				t.Errorf("shard %d/%d: stderr lacks the shard note\n%v", i, n, r)
			}
			union = append(union, names...)
		}
		slices.Sort(union)
		if !slices.Equal(union, all) {
			t.Errorf("n=%d: the shards ran %v, want %v, each once", n, union, all)
		}
	}
}

func TestRun_ShardBadValue(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t)
	r := cli(t, env, "run", "--shard", "3/2", "testdata/evals/")
	if r.code != exitBadInput {
		t.Errorf("--shard 3/2: exit %d, want %d\n%v", r.code, exitBadInput, r)
	}
	oneLine(t, r, `--shard: "3/2" is not a shard: the shard number must be between 1 and 2`)

	r = cli(t, env.with("GALILEOTEST_SHARD", "a/b"), "run", "testdata/evals/")
	if r.code != exitBadInput || !strings.Contains(r.stderr, `GALILEOTEST_SHARD: "a/b" is not a shard`) {
		t.Errorf("GALILEOTEST_SHARD=a/b: exit %d, want %d and a message naming the variable\n%v", r.code, exitBadInput, r)
	}
}
