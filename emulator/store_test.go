package emulator

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

func TestStore_SurvivesRestartAndCrash(t *testing.T) {
	dir := t.TempDir()
	s1 := newTestServer(t, Options{DataDir: dir})
	a1 := newAPI(t, s1)
	pid, eid, _ := ingestFixture(t, s1, a1, 4)
	tag := a1.ok(http.StatusOK, "POST", "/projects/"+pid+"/experiments/"+eid+"/tags", map[string]string{"key": "k", "value": "v", "tag_type": "generic"}).json(t)
	did := s1.Dump().Datasets[0].ID
	etag := a1.ok(http.StatusOK, "GET", "/datasets/"+did+"/content", nil).header.Get("ETag")
	a1.ok(http.StatusNoContent, "PATCH", "/datasets/"+did+"/content", map[string]any{"edits": []map[string]any{
		{"edit_type": "append_row", "values": map[string]any{"input": "new", "output": "row"}}}}, "If-Match", etag)
	before, _ := s1.Experiment(eid)

	// A crash: s1 is never closed; a new server opens the same directory.
	s2 := newTestServer(t, Options{DataDir: dir})
	waitIdle(t, s2)
	after, ok := s2.Experiment(eid)
	if !ok {
		t.Fatal("the experiment is gone after the restart")
	}
	if len(s2.Traces(eid)) != 4 {
		t.Errorf("%d traces after the restart, want 4", len(s2.Traces(eid)))
	}
	if *after.StructuredAggregateMetrics[correctnessID(t)].Count != 4 ||
		*after.StructuredAggregateMetrics[correctnessID(t)].Avg != *before.StructuredAggregateMetrics[correctnessID(t)].Avg {
		t.Errorf("aggregates after restart = %+v, want the same as before (%+v)", after.StructuredAggregateMetrics, before.StructuredAggregateMetrics)
	}
	if len(after.Tags["generic"]) != 1 || after.Tags["generic"][0].ID != tag["id"] {
		t.Errorf("tags after restart = %+v", after.Tags)
	}
	a2 := newAPI(t, s2)
	d := a2.ok(http.StatusOK, "GET", "/datasets/"+did, nil).json(t)
	if d["num_rows"] != float64(len(qaRows)+1) || d["current_version_index"] != 1.0 {
		t.Errorf("dataset after restart = %v, want the appended row in version 1", d)
	}
	// New ids do not collide with replayed ones (same seed, new stream).
	p2 := a2.ok(http.StatusOK, "POST", "/projects", map[string]string{"name": "after-restart"}).json(t)["id"].(string)
	if p2 == pid {
		t.Fatal("a new project reused a replayed id")
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}

	// A clean restart keeps what s2 wrote; a torn last line is dropped.
	f, err := os.OpenFile(filepath.Join(dir, walName), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"op":"put","kind":"project","value":{"id":"torn`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s3 := newTestServer(t, Options{DataDir: dir})
	names := map[string]bool{}
	for _, p := range s3.Dump().Projects {
		names[p.ProjectName()] = true
	}
	if !names["proj"] || !names["after-restart"] || len(names) != 2 {
		t.Errorf("projects after the second restart = %v, want proj and after-restart", names)
	}
	a3 := newAPI(t, s3)
	a3.ok(http.StatusNoContent, "DELETE", "/projects/"+pid+"/experiments/"+eid, nil)
	s4 := newTestServer(t, Options{DataDir: dir})
	if _, ok := s4.Experiment(eid); ok {
		t.Error("a deleted experiment came back after a restart")
	}
}

func TestStore_Reset(t *testing.T) {
	dir := t.TempDir()
	s1 := newTestServer(t, Options{DataDir: dir})
	if _, err := s1.CreateProject("p"); err != nil {
		t.Fatal(err)
	}
	if err := s1.Reset(); err != nil {
		t.Fatal(err)
	}
	s2 := newTestServer(t, Options{DataDir: dir})
	if n := len(s2.Dump().Projects); n != 0 {
		t.Errorf("%d projects after reset and restart, want 0", n)
	}
}
