package emulator

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/internal/apispec"
)

// TestServedRoutes_InSpec pins that the routes below are described by the
// embedded OpenAPI subset, so the spec middleware of newTestServer checks
// their traffic instead of skipping it as an unknown route.
func TestServedRoutes_InSpec(t *testing.T) {
	v, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	const id = newUUIDForTest
	for _, tc := range []struct{ method, path, body string }{
		{"PATCH", "/templates/" + id, `{"name":"n"}`},
		{"POST", "/render_template", `{"template":"x","data":{"input_strings":["a"]}}`},
		{"PUT", "/datasets/" + id + "/content", `{"rollback_version":0}`},
		{"POST", "/projects/" + id + "/metrics/search", `{"start_time":"2026-07-30T12:00:00Z","end_time":"2026-07-30T12:05:00Z"}`},
	} {
		req, _ := http.NewRequest(tc.method, "https://api.galileo.ai"+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Galileo-Api-Key", "k")
		if err := v.ValidateRequest(req, []byte(tc.body)); err != nil {
			t.Errorf("%s %s: %v, want a valid request of a described route", tc.method, tc.path, err)
		}
	}
}

func TestTemplates_Update(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	id := a.ok(http.StatusOK, "POST", "/templates", map[string]any{"name": "t", "template": "{{input}}"}).json(t)["id"].(string)
	a.ok(http.StatusOK, "POST", "/templates", map[string]any{"name": "taken", "template": "x"})

	got := a.ok(http.StatusOK, "PATCH", "/templates/"+id, map[string]any{"name": " renamed "}).json(t)
	if got["name"] != "renamed" || got["id"] != id {
		t.Errorf("PATCH name: %v, want the template renamed", got)
	}
	got = a.ok(http.StatusOK, "PATCH", "/templates/"+id, map[string]any{"name": map[string]any{"value": "again"}}).json(t)
	if got["name"] != "again" {
		t.Errorf("PATCH with a Name object: name %v, want again", got["name"])
	}
	if got := a.ok(http.StatusOK, "PATCH", "/templates/"+id, map[string]any{"name": nil}).json(t); got["name"] != "again" {
		t.Errorf("PATCH with a null name: name %v, want it unchanged", got["name"])
	}
	if got := a.ok(http.StatusOK, "GET", "/templates/"+id, nil).json(t); got["name"] != "again" {
		t.Errorf("GET after PATCH: name %v, want again", got["name"])
	}
	if r := a.do("PATCH", "/templates/"+id, map[string]any{"name": "taken"}); r.status != http.StatusConflict {
		t.Errorf("PATCH to a taken name: %d %s, want 409", r.status, r.body)
	}
	if r := a.do("PATCH", "/templates/"+newUUIDForTest, map[string]any{"name": "x"}); r.status != http.StatusNotFound {
		t.Errorf("PATCH of a missing template: %d %s, want 404", r.status, r.body)
	}
}

// newUUIDForTest is a well-formed ID that names nothing.
const newUUIDForTest = "0b0e2d7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"

func TestTemplates_Render(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	type rendered struct {
		Next   *int `json:"next_starting_token"`
		Result []struct {
			Result string `json:"result"`
		} `json:"rendered_templates"`
	}
	results := func(r rendered) []string {
		var out []string
		for _, x := range r.Result {
			out = append(out, x.Result)
		}
		return out
	}

	var r rendered
	a.ok(http.StatusOK, "POST", "/render_template", map[string]any{"template": "Q: {{input}} / {{ question }}",
		"data": map[string]any{"input_strings": []string{"plain", `{"question":"why"}`}}}).decode(t, &r)
	if want := []string{"Q: plain / ", `Q: {"question":"why"} / why`}; !reflect.DeepEqual(results(r), want) {
		t.Errorf("input strings rendered %q, want %q", results(r), want)
	}

	id := a.upload("jsonl", "qa", "", []byte(`{"input":"q1","output":"a1"}`+"\n"+`{"input":"q2","output":"a2"}`+"\n")).json(t)["id"].(string)
	r = rendered{}
	a.ok(http.StatusOK, "POST", "/render_template?starting_token=0&limit=1", map[string]any{"template": "{{input}}->{{output}}",
		"data": map[string]any{"dataset_id": id}}).decode(t, &r)
	if want := []string{"q1->a1"}; !reflect.DeepEqual(results(r), want) || r.Next == nil || *r.Next != 1 {
		t.Errorf("first page of dataset rows: %q next %v, want %q and next 1", results(r), r.Next, want)
	}
	if r := a.do("POST", "/render_template", map[string]any{"template": "x", "data": map[string]any{"dataset_id": newUUIDForTest}}); r.status != http.StatusNotFound {
		t.Errorf("render with a missing dataset: %d %s, want 404", r.status, r.body)
	}
}

func TestDatasets_UpsertContent(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	id := a.upload("jsonl", "qa", "", []byte(`{"input":"q1","output":"a1"}`+"\n")).json(t)["id"].(string)
	other := a.upload("jsonl", "other", "", []byte(`{"input":"x1"}`+"\n"+`{"input":"x2"}`+"\n")).json(t)["id"].(string)
	edit := map[string]any{"edits": []map[string]any{{"edit_type": "append_row", "values": map[string]any{"input": "q2", "output": "a2"}}}}
	a.ok(http.StatusNoContent, "PATCH", "/datasets/"+id+"/content", edit)

	inputs := func() []any {
		var out []any
		for _, row := range a.ok(http.StatusOK, "GET", "/datasets/"+id+"/content", nil).json(t)["rows"].([]any) {
			out = append(out, row.(map[string]any)["values_dict"].(map[string]any)["input"])
		}
		return out
	}
	etag := a.ok(http.StatusOK, "GET", "/datasets/"+id+"/content", nil).header.Get("ETag")
	r := a.ok(http.StatusNoContent, "PUT", "/datasets/"+id+"/content", map[string]any{"rollback_version": 0})
	if e := r.header.Get("ETag"); e == "" || e == etag {
		t.Errorf("ETag after a rollback = %q, want a new one (was %q)", e, etag)
	}
	if got := inputs(); !reflect.DeepEqual(got, []any{"q1"}) {
		t.Errorf("rows after rollback to version 0: %v, want [q1]", got)
	}
	if d := a.ok(http.StatusOK, "GET", "/datasets/"+id, nil).json(t); d["current_version_index"] != 2.0 || d["num_rows"] != 1.0 {
		t.Errorf("dataset after rollback: version %v rows %v, want 2 and 1", d["current_version_index"], d["num_rows"])
	}

	a.ok(http.StatusNoContent, "PUT", "/datasets/"+id+"/content", map[string]any{"dataset_id": other})
	if got := inputs(); !reflect.DeepEqual(got, []any{"x1", "x2"}) {
		t.Errorf("rows after upsert from another dataset: %v, want [x1 x2]", got)
	}
	if r := a.do("PUT", "/datasets/"+id+"/content", map[string]any{"rollback_version": 99}); r.status != http.StatusNotFound {
		t.Errorf("rollback to a missing version: %d %s, want 404", r.status, r.body)
	}
	if r := a.do("PUT", "/datasets/"+newUUIDForTest+"/content", map[string]any{"rollback_version": 0}); r.status != http.StatusNotFound {
		t.Errorf("rollback of a missing dataset: %d %s, want 404", r.status, r.body)
	}
}

func TestScorerSettings_LogStream(t *testing.T) {
	s := newTestServer(t)
	a := newAPI(t, s)
	pid := a.ok(http.StatusOK, "POST", "/projects", map[string]any{"name": "p"}).json(t)["id"].(string)
	lid := a.ok(http.StatusOK, "POST", "/projects/"+pid+"/log_streams", map[string]any{"name": "ls"}).json(t)["id"].(string)
	path := "/projects/" + pid + "/runs/" + lid + "/scorer-settings"

	got := a.ok(http.StatusOK, "POST", path, map[string]any{"run_id": lid,
		"scorers": []map[string]any{{"id": correctnessID(t), "name": "correctness", "scorer_type": "preset"}}}).json(t)
	if sc := got["scorers"].([]any); got["run_id"] != lid || len(sc) != 1 || sc[0].(map[string]any)["id"] != correctnessID(t) {
		t.Errorf("POST scorer-settings on a log stream: %v, want its run_id and the correctness scorer", got)
	}
	if sc := a.ok(http.StatusOK, "GET", path, nil).json(t)["scorers"].([]any); len(sc) != 1 {
		t.Errorf("GET scorer-settings after POST: scorers %v, want the one set", sc)
	}
	other := a.ok(http.StatusOK, "POST", "/projects", map[string]any{"name": "q"}).json(t)["id"].(string)
	if r := a.do("POST", "/projects/"+other+"/runs/"+lid+"/scorer-settings", map[string]any{"run_id": lid, "scorers": []any{}}); r.status != http.StatusNotFound {
		t.Errorf("scorer-settings of a log stream under another project: %d %s, want 404", r.status, r.body)
	}
}
