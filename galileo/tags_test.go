package galileo

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// tagStore is a fake experiment's tags: POST stores (and answers through
// answer), GET lists.
type tagStore struct {
	mu     sync.Mutex
	stored []RunTag
}

func (s *tagStore) add(t *testing.T, pid, eid string, r *http.Request) RunTag {
	body := decodeBody[RunTagCreateRequest](t, r)
	tag := fxTag(pid, eid, body.Key, body.Value, body.TagType)
	s.mu.Lock()
	s.stored = append(s.stored, tag)
	s.mu.Unlock()
	return tag
}

func (s *tagStore) list() []RunTag {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RunTag{}, s.stored...)
}

// serve registers the list route and a create route that stores the tag
// and then calls answer.
func (s *tagStore) serve(t *testing.T, f *fakeAPI, pid, eid string, answer func(w http.ResponseWriter, r *http.Request, tag RunTag)) {
	f.handle("GET /projects/{project_id}/experiments/{experiment_id}/tags", func(w http.ResponseWriter, r *http.Request) {
		serveJSON(w, http.StatusOK, s.list())
	})
	f.handle("POST /projects/{project_id}/experiments/{experiment_id}/tags", func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, s.add(t, pid, eid, r))
	})
}

// The server stores the tag but the connection breaks before the answer:
// the client finds the tag instead of adding it twice.
func TestExperimentsService_AddTag_answerDropped(t *testing.T) {
	f := newFakeAPI(t)
	f.allowMalformedAnswers()
	pid, eid := newID(), newID()
	var s tagStore
	s.serve(t, f, pid, eid, func(w http.ResponseWriter, r *http.Request, _ RunTag) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		_ = conn.Close()
	})
	tag, err := f.client(WithRetry(3, 0, 0)).Experiments.AddTag(testContext(t), pid, eid, RunTagCreateRequest{Key: "env", Value: "ci"})
	require.NoError(t, err)
	assert.Equal(t, s.list()[0].ID, tag.ID)
	assert.Len(t, s.list(), 1)
	assert.Equal(t, 1, f.count("POST "))
}

// The server stores the tag but never answers: the attempt timeout ends
// the attempt, and the client finds the tag.
func TestExperimentsService_AddTag_answerStalled(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	var s tagStore
	s.serve(t, f, pid, eid, func(w http.ResponseWriter, r *http.Request, tag RunTag) {
		stallUntilAbandoned(t, r)
		serveJSON(w, http.StatusOK, tag) // too late: nobody reads it
	})
	c := f.client(WithRetry(3, 0, 0), WithAttemptTimeout(testAttemptTimeout))
	tag, err := c.Experiments.AddTag(testContext(t), pid, eid, RunTagCreateRequest{Key: "env", Value: "ci"})
	require.NoError(t, err)
	assert.Equal(t, s.list()[0].ID, tag.ID)
	assert.Len(t, s.list(), 1)
	assert.Equal(t, 1, f.count("POST "))
}

// The POST reaches the server's store only after the caller gave up on it
// (its context ended): the call reports an unknown outcome, and repeating
// it finds the late tag instead of adding a second one.
func TestExperimentsService_AddTag_lateDuplicate(t *testing.T) {
	f := newFakeAPI(t)
	pid, eid := newID(), newID()
	var s tagStore
	late := make(chan struct{})
	f.handle("GET /projects/{project_id}/experiments/{experiment_id}/tags", func(w http.ResponseWriter, r *http.Request) {
		serveJSON(w, http.StatusOK, s.list())
	})
	f.handle("POST /projects/{project_id}/experiments/{experiment_id}/tags", func(w http.ResponseWriter, r *http.Request) {
		if f.count("POST ") == 1 {
			body, _ := io.ReadAll(r.Body)
			stallUntilAbandoned(t, r)
			r.Body = io.NopCloser(bytes.NewReader(body))
			tag := s.add(t, pid, eid, r) // stored after the client gave up
			close(late)
			serveJSON(w, http.StatusOK, tag)
			return
		}
		serveJSON(w, http.StatusOK, s.add(t, pid, eid, r))
	})
	c := f.client(WithRetry(3, 0, 0))
	ctx, cancel := context.WithTimeout(testContext(t), testAttemptTimeout)
	defer cancel()
	want := RunTagCreateRequest{Key: "env", Value: "ci"}
	_, err := c.Experiments.AddTag(ctx, pid, eid, want)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	select {
	case <-late:
	case <-testContext(t).Done():
		t.Fatal("the late POST was never stored")
	}

	tag, err := c.Experiments.AddTag(testContext(t), pid, eid, want)
	require.NoError(t, err)
	require.Len(t, s.list(), 1, "the repeated call added no duplicate")
	assert.Equal(t, s.list()[0].ID, tag.ID)
	assert.Equal(t, 1, f.count("POST "))

	// Once settled, the client forgets: a later AddTag posts at once.
	_, err = c.Experiments.AddTag(testContext(t), pid, eid, RunTagCreateRequest{Key: "db", Value: "pg"})
	require.NoError(t, err)
	assert.Equal(t, 1, f.count("GET "), "only the repeated call looked first")
}
