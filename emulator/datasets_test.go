package emulator

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestDatasets_Upload(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	pid := a.ok(http.StatusOK, "POST", "/projects", map[string]any{"name": "p"}).json(t)["id"].(string)

	cases := []struct {
		name     string
		format   string
		file     string
		wantCols []string
		wantRows int
	}{
		{"jsonl with differing keys unions the columns", "jsonl",
			`{"input":"a","output":"b"}` + "\n" + `{"input":"c","metadata":{"k":"v"},"extra":1}` + "\n",
			[]string{"input", "output", "metadata", "extra"}, 2},
		{"ground_truth becomes output", "jsonl", `{"input":"a","ground_truth":"b"}` + "\n", []string{"input", "output"}, 1},
		{"csv", "csv", "input,output\nq1,a1\nq2,a2\n", []string{"input", "output"}, 2},
		{"json array", "json", `[{"input":"a","output":"b"},{"input":"c","output":"d"}]`, []string{"input", "output"}, 2},
		{"an empty row list", "jsonl", "{}\n", []string{}, 0},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.upload(tc.format, fmt.Sprintf("ds-%d", i), pid, []byte(tc.file))
			if r.status != http.StatusOK {
				t.Fatalf("upload: %d %s", r.status, r.body)
			}
			var d struct {
				ID      string   `json:"id"`
				Cols    []string `json:"column_names"`
				NumRows int      `json:"num_rows"`
				Version int      `json:"current_version_index"`
			}
			r.decode(t, &d)
			if !reflect.DeepEqual(d.Cols, tc.wantCols) || d.NumRows != tc.wantRows {
				t.Errorf("columns %v rows %d, want %v and %d", d.Cols, d.NumRows, tc.wantCols, tc.wantRows)
			}
			projects := a.ok(http.StatusOK, "GET", "/datasets/"+d.ID+"/projects", nil).json(t)["projects"].([]any)
			if len(projects) != 1 || projects[0].(map[string]any)["id"] != pid {
				t.Errorf("dataset projects = %v, want the uploading project", projects)
			}
		})
	}

	t.Run("python-style booleans in the form", func(t *testing.T) {
		r := a.upload("jsonl", "draft-ds", "", []byte(`{"input":"a"}`+"\n"), "draft", "True")
		if r.status != http.StatusOK || r.json(t)["draft"] != true {
			t.Errorf("draft=True: %d %s, want draft true", r.status, r.body)
		}
	})
	t.Run("csv with a wrong number of fields is refused and stores nothing", func(t *testing.T) {
		before := len(s.Dump().Datasets)
		r := a.upload("csv", "bad-csv", "", []byte("input,output\nq1,a1\nq2\n"))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "line 3") {
			t.Errorf("bad csv: %d %s, want 422 naming line 3", r.status, r.body)
		}
		if after := len(s.Dump().Datasets); after != before {
			t.Errorf("datasets %d -> %d, want unchanged", before, after)
		}
	})
	t.Run("jsonl that is not objects is refused", func(t *testing.T) {
		r := a.upload("jsonl", "bad-jsonl", "", []byte("[1,2]\n"))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "line 1") {
			t.Errorf("bad jsonl: %d %s, want 422 naming line 1", r.status, r.body)
		}
	})
	t.Run("duplicate name", func(t *testing.T) {
		if r := a.upload("jsonl", "ds-0", "", []byte(`{"input":"a"}`+"\n")); r.status != http.StatusConflict {
			t.Errorf("duplicate name: status %d, want 409", r.status)
		}
		r := a.upload("jsonl", "ds-0", "", []byte(`{"input":"a"}`+"\n"), "append_suffix_if_duplicate", "True")
		if r.status != http.StatusOK || r.json(t)["name"] != "ds-0 (1)" {
			t.Errorf("append_suffix_if_duplicate: %d %s, want name \"ds-0 (1)\"", r.status, r.body)
		}
	})
}

func TestDatasets_ContentAndEdits(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	pid := a.ok(http.StatusOK, "POST", "/projects", map[string]any{"name": "p"}).json(t)["id"].(string)
	id := a.upload("jsonl", "qa", "", []byte(`{"input":"q1","output":"a1"}`+"\n"+`{"input":"q2","output":"a2"}`+"\n")).json(t)["id"].(string)

	r := a.ok(http.StatusOK, "GET", "/datasets/"+id+"/content?starting_token=0&limit=1&dataset_id="+id, nil)
	etag := r.header.Get("ETag")
	if etag == "" {
		t.Fatal("content answer has no ETag header")
	}
	page := r.json(t)
	if rows := page["rows"].([]any); len(rows) != 1 || page["next_starting_token"] != 1.0 {
		t.Errorf("first page = %v, want 1 row and next_starting_token 1", page)
	}
	row := page["rows"].([]any)[0].(map[string]any)
	if vd := row["values_dict"].(map[string]any); vd["input"] != "q1" || vd["output"] != "a1" {
		t.Errorf("values_dict = %v", vd)
	}
	past := a.ok(http.StatusOK, "GET", "/datasets/"+id+"/content?starting_token=5", nil).json(t)
	if rows := past["rows"].([]any); len(rows) != 0 || past["next_starting_token"] != nil {
		t.Errorf("page past the end = %v, want empty rows and a null token", past)
	}

	edit := map[string]any{"edits": []map[string]any{{"edit_type": "append_row", "values": map[string]any{"input": "q3", "output": "a3"}}}}
	if r := a.do("PATCH", "/datasets/"+id+"/content", edit, "If-Match", "stale"); r.status != http.StatusPreconditionFailed {
		t.Errorf("stale If-Match: status %d, want 412", r.status)
	}
	r = a.ok(http.StatusNoContent, "PATCH", "/datasets/"+id+"/content", edit, "If-Match", etag)
	if r.header.Get("ETag") == "" || r.header.Get("ETag") == etag {
		t.Errorf("ETag after an edit = %q, want a new one (was %q)", r.header.Get("ETag"), etag)
	}
	d := a.ok(http.StatusOK, "GET", "/datasets/"+id, nil).json(t)
	if d["num_rows"] != 3.0 || d["current_version_index"] != 1.0 {
		t.Errorf("after append: %v, want 3 rows in version 1", d)
	}
	old := a.ok(http.StatusOK, "GET", "/datasets/"+id+"/versions/0/content", nil).json(t)
	if len(old["rows"].([]any)) != 2 {
		t.Errorf("version 0 has %d rows, want 2", len(old["rows"].([]any)))
	}
	vers := a.ok(http.StatusOK, "POST", "/datasets/"+id+"/versions/query", nil).json(t)["versions"].([]any)
	if len(vers) != 2 {
		t.Errorf("versions = %v, want 2", vers)
	}
	rowID := row["row_id"].(string)
	a.ok(http.StatusNoContent, "PATCH", "/datasets/"+id+"/content", map[string]any{"edits": []map[string]any{
		{"edit_type": "update_row", "row_id": rowID, "values": map[string]any{"output": "A1"}},
		{"edit_type": "rename_column", "column_name": "output", "new_column_name": "expected"},
	}})
	first := a.ok(http.StatusOK, "GET", "/datasets/"+id+"/content", nil).json(t)["rows"].([]any)[0].(map[string]any)["values_dict"].(map[string]any)
	if first["expected"] != "A1" || first["input"] != "q1" {
		t.Errorf("after update+rename: %v, want expected=A1", first)
	}
	bad := map[string]any{"edits": []map[string]any{{"edit_type": "explode"}}}
	if r := a.do("PATCH", "/datasets/"+id+"/content", bad, invalidRequestHeader, "1"); r.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown edit type: status %d, want 422", r.status)
	}

	// Queries by name and project.
	a.upload("jsonl", "qa-extra", pid, []byte(`{"input":"x"}`+"\n"))
	q := func(filters ...map[string]any) []string {
		var out struct {
			Datasets []struct {
				Name string `json:"name"`
			} `json:"datasets"`
		}
		a.ok(http.StatusOK, "POST", "/datasets/query", map[string]any{"filters": filters}).decode(t, &out)
		var names []string
		for _, d := range out.Datasets {
			names = append(names, d.Name)
		}
		return names
	}
	if got := q(map[string]any{"name": "name", "operator": "eq", "value": "qa"}); !reflect.DeepEqual(got, []string{"qa"}) {
		t.Errorf("name eq qa = %v", got)
	}
	if got := q(map[string]any{"name": "name", "operator": "contains", "value": "QA", "case_sensitive": false}); len(got) != 2 {
		t.Errorf("name contains QA (case-insensitive) = %v, want 2", got)
	}
	if got := q(map[string]any{"name": "used_in_project", "value": pid}); !reflect.DeepEqual(got, []string{"qa-extra"}) {
		t.Errorf("used_in_project = %v, want [qa-extra]", got)
	}

	a.ok(http.StatusOK, "DELETE", "/datasets/"+id, nil)
	a.ok(http.StatusNotFound, "GET", "/datasets/"+id, nil)
}

func TestDatasets_UploadTooLarge(t *testing.T) {
	s := newTestServer(t, Options{MaxBodyBytes: 4 << 10})
	a := newAPI(t, s)
	big := strings.Repeat(`{"input":"`+strings.Repeat("x", 100)+`"}`+"\n", 100)
	r := a.upload("jsonl", "big", "", []byte(big))
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(string(r.body), `"detail":"Request body too large`) {
		t.Errorf("oversized upload: %d %s, want 413 with a detail", r.status, r.body)
	}
	if n := len(s.Dump().Datasets); n != 0 {
		t.Errorf("%d datasets stored after a refused upload", n)
	}
}
