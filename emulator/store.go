package emulator

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
)

// Persistence: with Options.DataDir every change of the stored entities is
// appended as one JSON line to wal.jsonl and fsynced before the request is
// answered. On start the server loads snapshot.json (if any), replays the
// log, then writes a fresh snapshot and empties the log. Only a torn last
// record (a crash in the middle of a write) is dropped, with a warning; a
// corrupt record followed by others is an error that names the file, the
// line, the byte offset and the reason, and nothing is started. Derived
// state (scores, aggregates, ranks) is not stored: it is recomputed after
// the replay.

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

// replayed says what opening a data directory found: how many records
// (the snapshot counts as one) and a digest of their bytes, which seeds the
// id stream of the new session.
type replayed struct {
	records int
	digest  uint64
}

// openStore replays dir into apply and returns the open store. A torn last
// record of the log is dropped and reported to lg.
func openStore(dir string, apply func(event) error, lg *slog.Logger) (*store, replayed, error) {
	var rp replayed
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, rp, err
	}
	h := sha256.New()
	snapPath := filepath.Join(dir, snapshotName)
	snap, err := os.ReadFile(snapPath)
	switch {
	case err == nil:
		if err := apply(event{Op: "snapshot", Kind: kindState, Value: snap}); err != nil {
			return nil, rp, fmt.Errorf("%s: %w", snapPath, err)
		}
		h.Write(snap)
		rp.records++
	case !errors.Is(err, os.ErrNotExist):
		return nil, rp, err
	}
	walPath := filepath.Join(dir, walName)
	f, err := os.OpenFile(walPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, rp, err
	}
	res, err := replayLog(f, apply, h)
	if err != nil {
		f.Close()
		return nil, rp, fmt.Errorf("%s: %w", walPath, err)
	}
	if res.torn != nil {
		lg.Warn("emulator: dropped the torn last record of the write-ahead log (an interrupted write; the change it held was never acknowledged)",
			"file", walPath, "line", res.torn.line, "offset", res.torn.offset, "bytes", res.torn.size, "reason", res.torn.reason)
	}
	rp.records += res.records
	rp.digest = binary.LittleEndian.Uint64(h.Sum(nil))
	if err := f.Truncate(res.good); err != nil {
		f.Close()
		return nil, rp, err
	}
	if _, err := f.Seek(res.good, io.SeekStart); err != nil {
		f.Close()
		return nil, rp, err
	}
	return &store{dir: dir, f: f}, rp, nil
}

// badRecord is a log line that could not be read.
type badRecord struct {
	line   int
	offset int64 // of the line's first byte
	size   int
	reason string
}

// logReplay is the outcome of replayLog.
type logReplay struct {
	good    int64 // offset after the last applied record
	records int
	torn    *badRecord // the dropped last record, if any
}

// replayLog applies the records of f in order. A record that does not
// decode, or lacks its newline, is dropped when it is the last one in the
// file (a torn write); followed by another record it is an error naming
// its line, its byte offset and the reason. Applied lines are fed to h.
func replayLog(f *os.File, apply func(event) error, h hash.Hash) (logReplay, error) {
	r := bufio.NewReaderSize(f, 1<<20)
	var res logReplay
	var off int64
	var bad *badRecord
	for line := 1; ; line++ {
		b, err := r.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return res, err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			if errors.Is(err, io.EOF) {
				res.torn = bad
				return res, nil
			}
			off += int64(len(b))
			continue
		}
		if bad != nil {
			return res, fmt.Errorf("line %d (byte offset %d): corrupt record: %s; it is not the last record "+
				"(line %d follows), so dropping it would lose acknowledged changes: repair or remove that line, then start again",
				bad.line, bad.offset, bad.reason, line)
		}
		var ev event
		switch derr := json.Unmarshal(bytes.TrimSpace(b), &ev); {
		case derr != nil:
			bad = &badRecord{line: line, offset: off, size: len(b), reason: derr.Error()}
		case errors.Is(err, io.EOF):
			bad = &badRecord{line: line, offset: off, size: len(b), reason: "the record has no final newline"}
		default:
			if err := apply(ev); err != nil {
				return res, fmt.Errorf("line %d (byte offset %d): %w", line, off, err)
			}
			h.Write(b)
			res.records++
			res.good = off + int64(len(b))
		}
		off += int64(len(b))
		if errors.Is(err, io.EOF) {
			res.torn = bad
			return res, nil
		}
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
