package emulator

import (
	"net/http"
	"slices"

	"github.com/galileo-community/galileo-go/galileo"
)

func (s *Server) decodeTag(c *call) (galileo.RunTagCreateRequest, error) {
	var body struct {
		Key     *string `json:"key"`
		Value   *string `json:"value"`
		TagType *string `json:"tag_type"`
	}
	if err := decodeJSON(c.r, &body, false); err != nil {
		return galileo.RunTagCreateRequest{}, err
	}
	switch {
	case body.Key == nil:
		return galileo.RunTagCreateRequest{}, missing("key")
	case body.Value == nil:
		return galileo.RunTagCreateRequest{}, missing("value")
	case body.TagType == nil:
		return galileo.RunTagCreateRequest{}, missing("tag_type")
	}
	return galileo.RunTagCreateRequest{Key: *body.Key, Value: *body.Value, TagType: *body.TagType}, nil
}

func (s *Server) putTags(e *experimentRec, tags []galileo.RunTag) error {
	ne := *e
	ne.Tags = tags
	ne.UpdatedAt = s.now()
	if err := s.commit("put", kindExperiment, ne.ID, &ne); err != nil {
		return err
	}
	s.st.Experiments[ne.ID] = &ne
	return nil
}

func (s *Server) handleCreateTag(c *call) error {
	req, err := s.decodeTag(c)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	now := s.now()
	tag := galileo.RunTag{ID: s.newID(), Key: req.Key, Value: req.Value, TagType: req.TagType, ProjectID: e.ProjectID, RunID: e.ID,
		CreatedBy: userID, CreatedAt: now, UpdatedAt: now}
	if err := s.putTags(e, append(slices.Clone(e.Tags), tag)); err != nil {
		return err
	}
	return c.json(http.StatusOK, tag)
}

func (s *Server) handleListTags(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	out := append([]galileo.RunTag{}, e.Tags...)
	return c.json(http.StatusOK, out)
}

func findTag(e *experimentRec, id string) (int, error) {
	for i, t := range e.Tags {
		if t.ID == id {
			return i, nil
		}
	}
	return -1, notFound("Tag", id)
}

func (s *Server) handleGetTag(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	i, err := findTag(e, c.param("tag_id"))
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, e.Tags[i])
}

func (s *Server) handleUpdateTag(c *call) error {
	req, err := s.decodeTag(c)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	i, err := findTag(e, c.param("tag_id"))
	if err != nil {
		return err
	}
	tags := slices.Clone(e.Tags)
	tags[i].Key, tags[i].Value, tags[i].TagType, tags[i].UpdatedAt = req.Key, req.Value, req.TagType, s.now()
	if err := s.putTags(e, tags); err != nil {
		return err
	}
	return c.json(http.StatusOK, tags[i])
}

func (s *Server) handleDeleteTag(c *call) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(c.param("project_id"), c.param("experiment_id"))
	if err != nil {
		return err
	}
	i, err := findTag(e, c.param("tag_id"))
	if err != nil {
		return err
	}
	tags := slices.Delete(slices.Clone(e.Tags), i, i+1)
	if err := s.putTags(e, tags); err != nil {
		return err
	}
	return c.json(http.StatusOK, map[string]string{"message": "Tag deleted"})
}
