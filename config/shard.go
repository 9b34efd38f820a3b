package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is one part of a run split across parallel jobs, such as the jobs
// of a CI matrix: shard Index of Count, with 1 <= Index <= Count
// (GALILEOTEST_SHARD=Index/Count). The zero Shard is the whole run. Which
// experiments a shard runs is the harness's rule (see package galileotest).
type Shard struct {
	Index int // 1-based
	Count int
}

// ParseShard parses "i/n" (spaces around the numbers are ignored), for
// example "2/4". A blank string gives the zero Shard. The error of a
// malformed value such as "a/b", "0/2" or "3/2" says what was expected.
func ParseShard(s string) (Shard, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Shard{}, nil
	}
	is, ns, ok := strings.Cut(s, "/")
	i, ierr := strconv.Atoi(strings.TrimSpace(is))
	n, nerr := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || ierr != nil || nerr != nil {
		return Shard{}, fmt.Errorf("%q is not a shard: expected i/n, this job's number i of n jobs, such as 1/4", s)
	}
	sh := Shard{Index: i, Count: n}
	if err := sh.Validate(); err != nil {
		return Shard{}, err
	}
	return sh, nil
}

// Validate reports whether s is the zero Shard or 1 <= Index <= Count.
func (s Shard) Validate() error {
	switch {
	case s.IsZero():
		return nil
	case s.Count < 1:
		return fmt.Errorf("%q is not a shard: the number of shards must be at least 1", s.String())
	case s.Index < 1 || s.Index > s.Count:
		return fmt.Errorf("%q is not a shard: the shard number must be between 1 and %d (shards are numbered from 1)", s.String(), s.Count)
	}
	return nil
}

// IsZero reports whether s is the zero Shard, the whole run.
func (s Shard) IsZero() bool { return s == Shard{} }

// String returns "i/n", or "" for the zero Shard.
func (s Shard) String() string {
	if s.IsZero() {
		return ""
	}
	return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count)
}
