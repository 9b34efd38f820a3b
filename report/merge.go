package report

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
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
	m.StartedAt, m.FinishedAt = span(m.StartedAt, m.FinishedAt, r)
	if m.Backend == "" {
		m.Backend = r.Backend
	}
	return &m
}

// span widens the interval [start, finish] to cover r's; a zero time is
// unknown and does not count.
func span(start, finish time.Time, r *Report) (time.Time, time.Time) {
	if start.IsZero() || (!r.StartedAt.IsZero() && r.StartedAt.Before(start)) {
		start = r.StartedAt
	}
	if r.FinishedAt.After(finish) {
		finish = r.FinishedAt
	}
	return start, finish
}

// Merge joins the reports of the shards of one gate (CI jobs that each ran
// part of the fixtures) into one report. None of the reports is changed.
//
//   - Experiments are concatenated and put in a fixed order: those with a
//     fixture file by File, Line and Name (then RunName and ID), those
//     without a file after them, in the order given.
//   - An experiment that appears in several reports (the same File, Line,
//     Name, RunName and ID) appears once, as the first report gives it, so
//     merging a merged report again with one of its shards changes
//     nothing. Experiments known by their name alone (declared in Go,
//     failed before they were created) are the same only when their Error
//     is the same too.
//   - StartedAt is the earliest start, FinishedAt the latest finish.
//   - Backend is the reports' common backend. Reports of different
//     backends are an error: a gate whose verdicts came partly from the
//     emulator is not a verdict on Galileo's scores. A report without a
//     backend takes the others'.
//   - RunID is kept when every report has the same one, dropped otherwise.
//
// Merge returns an error for no reports, a nil report or a report of
// another schema version. The result's status is what its experiments
// say: [Report.Passed] is true only when every experiment of every shard
// passed.
func Merge(reports ...*Report) (*Report, error) {
	if len(reports) == 0 {
		return nil, errors.New("report: merge: no reports")
	}
	m := &Report{SchemaVersion: SchemaVersion, RunID: reports[0].runID()}
	seen := map[experimentKey]bool{}
	for i, r := range reports {
		switch {
		case r == nil:
			return nil, fmt.Errorf("report: merge: report %d is nil", i+1)
		case r.SchemaVersion != 0 && (r.SchemaVersion < oldestSchemaVersion || r.SchemaVersion > SchemaVersion):
			return nil, fmt.Errorf("report: merge: report %d has schema_version %d; expected %d to %d", i+1, r.SchemaVersion, oldestSchemaVersion, SchemaVersion)
		case r.Backend != "" && m.Backend != "" && r.Backend != m.Backend:
			return nil, fmt.Errorf("report: merge: report %d ran on the %s backend, an earlier one on the %s backend; merge reports of one backend only", i+1, r.Backend, m.Backend)
		}
		m.Backend = cmp.Or(m.Backend, r.Backend)
		m.StartedAt, m.FinishedAt = span(m.StartedAt, m.FinishedAt, r)
		if r.RunID != m.RunID {
			m.RunID = ""
		}
		for _, e := range r.Experiments {
			if k := keyOf(&e); !seen[k] {
				seen[k] = true
				m.Experiments = append(m.Experiments, e)
			}
		}
	}
	slices.SortStableFunc(m.Experiments, compareExperiments)
	return m, nil
}

// runID is r's RunID, or "" for a nil report.
func (r *Report) runID() string {
	if r == nil {
		return ""
	}
	return r.RunID
}

// experimentKey identifies an experiment across reports.
type experimentKey struct {
	file, name, runName, id string
	line                    int
	// err is the error text of an experiment known by its name alone
	// (declared in Go, failed before it was named and created): two such
	// experiments of different shards are one only if they failed alike.
	err string
}

func keyOf(e *Experiment) experimentKey {
	k := experimentKey{file: e.File, line: e.Line, name: e.Name, runName: e.RunName, id: e.ID}
	if e.File == "" && e.RunName == "" && e.ID == "" {
		k.err = e.Error
	}
	return k
}

// compareExperiments orders experiments with a fixture file by file, line
// and name (then run name and id), before those without one.
func compareExperiments(a, b Experiment) int {
	if a.File == "" || b.File == "" {
		return cmp.Compare(b.File, a.File) // "" last; two "" are equal, order kept
	}
	return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.RunName, b.RunName), cmp.Compare(a.ID, b.ID))
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
