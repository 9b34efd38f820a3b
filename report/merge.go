package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// MergeJSONFile adds the experiments of r to the JSON report at path, so
// that several writers of one run share one file: every harness of a test
// binary, and the test binaries of one go test invocation (they share
// r.RunID). The file is read, merged and replaced atomically while a lock
// file (path + ".lock") is held, so concurrent writers, in one process or
// several, never lose each other's experiments. A file written by another
// run (a different RunID, or none), or one that is not a report, is
// replaced rather than merged, so a report never mixes runs. The merged
// report spans the earliest start and the latest finish.
//
// Waiting for the lock is bounded by ctx; a lock file left behind by a
// writer that died is taken over after a minute.
func MergeJSONFile(ctx context.Context, path string, r *Report) error {
	unlock, err := lockFile(ctx, path+".lock")
	if err != nil {
		return &fs.PathError{Op: "lock report", Path: path, Err: err}
	}
	defer unlock()
	merged := r
	if r.RunID != "" {
		if data, err := os.ReadFile(path); err == nil {
			if old, err := ReadJSON(bytes.NewReader(data)); err == nil && old.RunID == r.RunID {
				merged = mergeReports(old, r)
			}
		}
	}
	return WriteFile(path, FormatJSON, merged)
}

// mergeReports returns old with the experiments of r appended.
func mergeReports(old, r *Report) *Report {
	m := *old
	m.Experiments = append(append([]Experiment(nil), old.Experiments...), r.Experiments...)
	if m.StartedAt.IsZero() || (!r.StartedAt.IsZero() && r.StartedAt.Before(m.StartedAt)) {
		m.StartedAt = r.StartedAt
	}
	if r.FinishedAt.After(m.FinishedAt) {
		m.FinishedAt = r.FinishedAt
	}
	if m.Backend == "" {
		m.Backend = r.Backend
	}
	return &m
}

// staleLock is the age after which a lock file is taken to be left behind
// by a writer that died.
const staleLock = time.Minute

// lockFile takes an exclusive lock by creating path; the returned function
// releases it.
func lockFile(ctx context.Context, path string) (func(), error) {
	delay := 5 * time.Millisecond
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if st, serr := os.Stat(path); serr == nil && time.Since(st.ModTime()) > staleLock {
			os.Remove(path)
			continue
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("waiting for the lock %s: %w", path, context.Cause(ctx))
		case <-t.C:
		}
		delay = min(2*delay, 200*time.Millisecond)
	}
}
