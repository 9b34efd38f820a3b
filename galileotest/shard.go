package galileotest

import (
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"
	"strings"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/fixtures"
)

// Sharding splits a run across the n jobs of a CI matrix
// (GALILEOTEST_SHARD=i/n, config.Config.Shard). The unit is one
// experiment, keyed by its file's path (relative to the directory RunDir
// was given; the file name for RunFile; as given for Runner.Shard) and its
// name; a fixture file that fails to load is one unit, keyed by its path.
// The distinct keys are sorted and dealt round-robin, starting at a shard
// picked by an FNV-1a hash of the whole key set, so that shards differ in
// size by at most one within a set, and several small sets (one RunDir per
// test, say) do not all start with shard 1. Every job that sees the same
// set deals it the same way: the shards are disjoint and, together,
// complete.

// shardKey is the sharding key of experiment name in file (relative path).
// A file that failed to load has the key of its path alone.
func shardKey(file, name string) string {
	file = filepath.ToSlash(file)
	if name == "" {
		return file
	}
	return file + "#" + name
}

// dealShards assigns every distinct key a shard, 1 to n.
func dealShards(keys []string, n int) map[string]int {
	uniq := slices.Clone(keys)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	out := make(map[string]int, len(uniq))
	if n < 1 {
		n = 1
	}
	h := fnv.New64a()
	for _, k := range uniq {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	start := int(h.Sum64() % uint64(n))
	for i, k := range uniq {
		out[k] = (start+i)%n + 1
	}
	return out
}

// shardPlan is the sharding of one set of fixtures: which shard runs each
// key. The zero shardPlan runs everything.
type shardPlan struct {
	shard config.Shard
	base  string // keys are file paths relative to base
	of    map[string]int
}

// newShardPlan deals the experiments of files (paths relative to base) to
// the shards of s.
func newShardPlan(s config.Shard, base string, files []fixtures.File) shardPlan {
	if s.IsZero() || s.Count == 1 {
		return shardPlan{}
	}
	p := shardPlan{shard: s, base: base}
	var keys []string
	for _, f := range files {
		keys = append(keys, p.keys(f)...)
	}
	p.of = dealShards(keys, s.Count)
	return p
}

// keys returns the sharding keys of f: one per experiment, or its path
// when it failed to load.
func (p shardPlan) keys(f fixtures.File) []string {
	rel := p.rel(f.Path)
	if f.Err != nil || len(f.Experiments) == 0 {
		return []string{shardKey(rel, "")}
	}
	keys := make([]string, len(f.Experiments))
	for i, x := range f.Experiments {
		keys[i] = shardKey(rel, x.Name)
	}
	return keys
}

func (p shardPlan) rel(path string) string {
	if r, err := filepath.Rel(p.base, path); err == nil {
		return r
	}
	return path
}

// skipFile returns why this shard runs none of f, or "".
func (p shardPlan) skipFile(f fixtures.File) string {
	if p.of == nil {
		return ""
	}
	var others []int
	for _, k := range p.keys(f) {
		if p.of[k] == p.shard.Index {
			return ""
		}
		others = append(others, p.of[k])
	}
	slices.Sort(others)
	others = slices.Compact(others)
	where := make([]string, len(others))
	for i, n := range others {
		where[i] = fmt.Sprintf("%d/%d", n, p.shard.Count)
	}
	return fmt.Sprintf("galileotest: skipped in shard %s (%s): this file's experiments run in shard %s",
		p.shard, config.EnvShard, strings.Join(where, ", "))
}

// skipExperiment returns why this shard does not run experiment x, or "".
func (p shardPlan) skipExperiment(x fixtures.Experiment) string {
	if p.of == nil {
		return ""
	}
	n := p.of[shardKey(p.rel(x.File), x.Name)]
	if n == p.shard.Index {
		return ""
	}
	return fmt.Sprintf("galileotest: skipped in shard %s (%s): this experiment runs in shard %d/%d",
		p.shard, config.EnvShard, n, p.shard.Count)
}

// Shard returns the experiments of exps that this Runner's shard runs
// (config.Config.Shard, GALILEOTEST_SHARD=i/n), in their order, and the
// number left to the other shards. Experiments are keyed by their File as
// given and their name, and dealt as RunDir deals a directory's: sorted,
// round-robin. Every job of a matrix that passes the same experiments gets
// a disjoint part, and the parts together are exps. Without a shard it
// returns exps.
func (r *Runner) Shard(exps []Experiment) (mine []Experiment, others int) {
	s := r.cfg.Shard
	if s.IsZero() || s.Count == 1 {
		return exps, 0
	}
	keys := make([]string, len(exps))
	for i, x := range exps {
		keys[i] = shardKey(x.File, x.Name)
	}
	of := dealShards(keys, s.Count)
	for i, x := range exps {
		if of[keys[i]] == s.Index {
			mine = append(mine, x)
		}
	}
	return mine, len(exps) - len(mine)
}
