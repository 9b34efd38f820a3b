package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// Persistence: with Options.DataDir every change of the stored entities is
// appended as one JSON line to wal.jsonl and fsynced before the request is
// answered. On start the server loads snapshot.json (if any), replays the
// log, then writes a fresh snapshot and empties the log. A torn last line
// (a crash in the middle of a write) is dropped. Derived state (scores,
// aggregates, ranks) is not stored: it is recomputed after the replay.

const (
	walName      = "wal.jsonl"
	snapshotName = "snapshot.json"
)

// event is one line of the write-ahead log.
type event struct {
	Op    string          `json:"op"`   // "put", "del" or "snapshot"
	Kind  string          `json:"kind"` // entity kind
	ID    string          `json:"id,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
}

// Entity kinds in the log.
const (
	kindProject    = "project"
	kindLogStream  = "log_stream"
	kindDataset    = "dataset"
	kindTemplate   = "template"
	kindExperiment = "experiment"
	kindJob        = "job"
	kindTraces     = "traces"
	kindState      = "state"
)

type store struct {
	dir string
	f   *os.File
}

// openStore replays dir into apply and returns the open store and the
// number of events replayed.
func openStore(dir string, apply func(event) error) (*store, int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, err
	}
	n := 0
	snap, err := os.ReadFile(filepath.Join(dir, snapshotName))
	switch {
	case err == nil:
		if err := apply(event{Op: "snapshot", Kind: kindState, Value: snap}); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", snapshotName, err)
		}
		n++
	case !errors.Is(err, os.ErrNotExist):
		return nil, 0, err
	}
	walPath := filepath.Join(dir, walName)
	f, err := os.OpenFile(walPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, 0, err
	}
	good, lines, err := replayLog(f, apply)
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%s: %w", walName, err)
	}
	n += lines
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, 0, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, 0, err
	}
	return &store{dir: dir, f: f}, n, nil
}

// replayLog applies every complete line of f and returns the offset after
// the last good one.
func replayLog(f *os.File, apply func(event) error) (int64, int, error) {
	r := bufio.NewReaderSize(f, 1<<20)
	var off int64
	n := 0
	for line := 1; ; line++ {
		b, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			// A line without its newline was torn by a crash: drop it.
			return off, n, nil
		}
		if err != nil {
			return off, n, err
		}
		var ev event
		if json.Unmarshal(bytes.TrimSpace(b), &ev) != nil {
			// A corrupt line can only be the torn tail of a crash.
			return off, n, nil
		}
		if err := apply(ev); err != nil {
			return off, n, fmt.Errorf("line %d: %w", line, err)
		}
		off += int64(len(b))
		n++
	}
}

// append writes events as log lines and fsyncs them.
func (st *store) append(evs ...event) error {
	var buf bytes.Buffer
	for _, ev := range evs {
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if _, err := st.f.Write(buf.Bytes()); err != nil {
		return err
	}
	return st.f.Sync()
}

// compact writes snap as the new snapshot and empties the log.
func (st *store) compact(snap []byte) error {
	tmp := filepath.Join(st.dir, snapshotName+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(snap); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(st.dir, snapshotName)); err != nil {
		return err
	}
	if d, err := os.Open(st.dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	if err := st.f.Truncate(0); err != nil {
		return err
	}
	if _, err := st.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return st.f.Sync()
}

func (st *store) close() error { return st.f.Close() }

// commit logs a change before the caller applies it. Call with s.mu held.
func (s *Server) commit(op, kind, id string, value any) error {
	if s.store == nil {
		return nil
	}
	ev := event{Op: op, Kind: kind, ID: id}
	if value != nil {
		b, err := json.Marshal(value)
		if err != nil {
			return err
		}
		ev.Value = b
	}
	if err := s.store.append(ev); err != nil {
		s.log.Error("emulator: writing the data directory failed", "error", err)
		return errorf(500, "the emulator could not persist the change: %v", err)
	}
	return nil
}

// snapshotDoc is the stored form of the whole state.
type snapshotDoc struct {
	Projects    map[string]*projectRec    `json:"projects"`
	LogStreams  map[string]*logStreamRec  `json:"log_streams"`
	Datasets    map[string]*datasetRec    `json:"datasets"`
	Templates   map[string]*templateRec   `json:"templates"`
	Experiments map[string]*experimentRec `json:"experiments"`
	Jobs        map[string]*jobRec        `json:"jobs"`
	Traces      []*node                   `json:"traces"` // in arrival order
	Order       []string                  `json:"order"`  // entity ids in creation order
}

func (s *Server) snapshotLocked() snapshotDoc {
	st := s.st
	doc := snapshotDoc{Projects: st.Projects, LogStreams: st.LogStreams, Datasets: st.Datasets,
		Templates: st.Templates, Experiments: st.Experiments, Jobs: st.Jobs}
	ids := make([]string, 0, len(st.created))
	for id := range st.created {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return st.created[ids[i]] < st.created[ids[j]] })
	doc.Order = ids
	for _, id := range ids {
		if t := st.Traces[id]; t != nil {
			doc.Traces = append(doc.Traces, t)
		}
	}
	return doc
}

// replay applies one stored event to the state (used only while opening).
func (s *Server) replay(ev event) error {
	st := s.st
	switch ev.Kind {
	case kindState:
		var doc snapshotDoc
		if err := json.Unmarshal(ev.Value, &doc); err != nil {
			return err
		}
		for _, id := range doc.Order {
			switch {
			case doc.Projects[id] != nil:
				st.putProject(doc.Projects[id])
			case doc.LogStreams[id] != nil:
				st.putLogStream(doc.LogStreams[id])
			case doc.Datasets[id] != nil:
				st.putDataset(doc.Datasets[id])
			case doc.Templates[id] != nil:
				st.putTemplate(doc.Templates[id])
			case doc.Experiments[id] != nil:
				st.putExperiment(doc.Experiments[id])
			case doc.Jobs[id] != nil:
				st.putJob(doc.Jobs[id])
			}
		}
		for _, t := range doc.Traces {
			st.putTrace(t)
		}
		return nil
	}
	if ev.Op == "del" {
		switch ev.Kind {
		case kindProject:
			st.deleteProject(ev.ID)
		case kindDataset:
			delete(st.Datasets, ev.ID)
		case kindTemplate:
			st.deleteTemplate(ev.ID)
		case kindExperiment:
			st.deleteExperiment(ev.ID)
		default:
			return fmt.Errorf("unknown kind %q", ev.Kind)
		}
		return nil
	}
	if ev.Op != "put" {
		return fmt.Errorf("unknown op %q", ev.Op)
	}
	var err error
	switch ev.Kind {
	case kindProject:
		var v projectRec
		if err = json.Unmarshal(ev.Value, &v); err == nil {
			st.putProject(&v)
		}
	case kindLogStream:
		var v logStreamRec
		if err = json.Unmarshal(ev.Value, &v); err == nil {
			st.putLogStream(&v)
		}
	case kindDataset:
		var v datasetRec
		if err = json.Unmarshal(ev.Value, &v); err == nil {
			st.putDataset(&v)
		}
	case kindTemplate:
		var v templateRec
		if err = json.Unmarshal(ev.Value, &v); err == nil {
			st.putTemplate(&v)
		}
	case kindExperiment:
		var v experimentRec
		if err = json.Unmarshal(ev.Value, &v); err == nil {
			st.putExperiment(&v)
		}
	case kindJob:
		var v jobRec
		if err = json.Unmarshal(ev.Value, &v); err == nil {
			st.putJob(&v)
		}
	case kindTraces:
		var v []*node
		if err = json.Unmarshal(ev.Value, &v); err == nil {
			for _, t := range v {
				st.putTrace(t)
			}
		}
	default:
		return fmt.Errorf("unknown kind %q", ev.Kind)
	}
	return err
}
