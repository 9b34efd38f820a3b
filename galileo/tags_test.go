package galileo

import (
	"errors"
	"net/http"
	"testing"
)

func TestExperimentsService_Tags(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	var stored []RunTag
	f.handle("POST /projects/{project_id}/experiments/{experiment_id}/tags", func(w http.ResponseWriter, r *http.Request) {
		body := decodeBody[RunTagCreateRequest](t, r)
		tag := fxTag(pid, eid, body.Key, body.Value, body.TagType)
		stored = append(stored, tag)
		serveJSON(w, 200, tag)
	})
	f.handle("GET /projects/{project_id}/experiments/{experiment_id}/tags", func(w http.ResponseWriter, r *http.Request) {
		serveJSON(w, 200, stored)
	})
	f.handle("GET /projects/{project_id}/experiments/{experiment_id}/tags/{tag_id}", func(w http.ResponseWriter, r *http.Request) {
		for _, tg := range stored {
			if tg.ID == r.PathValue("tag_id") {
				serveJSON(w, 200, tg)
				return
			}
		}
		notFound(w, r)
	})
	f.handle("PUT /projects/{project_id}/experiments/{experiment_id}/tags/{tag_id}", func(w http.ResponseWriter, r *http.Request) {
		body := decodeBody[RunTagCreateRequest](t, r)
		stored[0].Key, stored[0].Value, stored[0].TagType = body.Key, body.Value, body.TagType
		serveJSON(w, 200, stored[0])
	})
	f.handle("DELETE /projects/{project_id}/experiments/{experiment_id}/tags/{tag_id}", func(w http.ResponseWriter, r *http.Request) {
		stored = stored[:0]
		serveJSON(w, 200, DeleteTagResponse{Message: "deleted"})
	})

	c := f.client()
	ctx := t.Context()
	tag, err := c.Experiments.AddTag(ctx, pid, eid, RunTagCreateRequest{Key: "env", Value: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if tag.TagType != TagTypeGeneric {
		t.Errorf("tag type %q, want generic by default", tag.TagType)
	}
	if _, err := c.Experiments.AddTag(ctx, pid, eid, RunTagCreateRequest{Key: "db", Value: "pinecone", TagType: "rag"}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.Experiments.ListTags(ctx, pid, eid)
	if err != nil || len(tags) != 2 || tags[1].TagType != "rag" {
		t.Fatalf("ListTags = %+v, %v; want env and db", tags, err)
	}
	got, err := c.Experiments.GetTag(ctx, pid, eid, tag.ID)
	if err != nil || got.Value != "ci" {
		t.Fatalf("GetTag = %+v, %v", got, err)
	}
	upd, err := c.Experiments.UpdateTag(ctx, pid, eid, tag.ID, RunTagCreateRequest{Key: "env", Value: "prod"})
	if err != nil || upd.Value != "prod" || upd.TagType != TagTypeGeneric {
		t.Fatalf("UpdateTag = %+v, %v", upd, err)
	}
	if err := c.Experiments.DeleteTag(ctx, pid, eid, tag.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Experiments.GetTag(ctx, pid, eid, tag.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetTag after delete: %v, want ErrNotFound", err)
	}
}

// A tag whose answer is lost is found in the list instead of being added twice.
func TestExperimentsService_AddTag_ambiguousFailure(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	f.json("POST /projects/{project_id}/experiments/{experiment_id}/tags", http.StatusBadGateway, map[string]string{"detail": "lost"})
	f.json("GET /projects/{project_id}/experiments/{experiment_id}/tags", 200, []RunTag{fxTag(pid, eid, "env", "ci", "generic")})
	tag, err := f.client(WithRetry(3, 0, 0)).Experiments.AddTag(t.Context(), pid, eid, RunTagCreateRequest{Key: "env", Value: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if tag.Key != "env" || f.count("POST ") != 1 {
		t.Errorf("got %+v after %d POSTs, want the listed tag after 1", tag, f.count("POST "))
	}
}
