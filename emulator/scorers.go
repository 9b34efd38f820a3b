package emulator

import (
	"crypto/sha1"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

// derivedID returns a stable uuid4-shaped id for the given parts.
func derivedID(parts ...string) string {
	h := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	h[6] = (h[6] & 0x0f) | 0x40
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// catalogueEpoch is the creation time reported for scorers.
var catalogueEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// scorerByKey finds a scorer by id, label, name or alias. Call with s.mu held.
func (s *Server) scorerByKey(key string) (scoring.Scorer, bool) {
	return scoring.Lookup(s.catalogue, key)
}

// scorerFor resolves a ScorerConfig of an experiment: by id, then by name.
func (s *Server) scorerFor(cfg galileo.ScorerConfig) (scoring.Scorer, bool) {
	for _, sc := range s.catalogue {
		if strings.EqualFold(sc.ID, cfg.ID) {
			return sc, true
		}
	}
	if cfg.Name != nil {
		for _, sc := range s.catalogue {
			if sc.Name == *cfg.Name {
				return sc, true
			}
		}
	}
	return scoring.Scorer{}, false
}

// scorerJSON is a scorer as the scorer routes answer it; metric_name is
// the key its values carry in records and legacy aggregates (the alias).
func scorerJSON(sc scoring.Scorer) galileo.Scorer {
	r := sc.Response()
	t := catalogueEpoch
	r.CreatedAt, r.UpdatedAt = &t, &t
	v := derivedID("scorer-version", sc.ID, "1")
	r.DefaultVersionID = &v
	if sc.Alias != "" {
		alias := sc.Alias
		r.MetricName = &alias
	}
	return r
}

func (s *Server) handleListScorers(c *call) error {
	var body listBody
	pg, err := c.listRequest(&body)
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	list, err := filterItems(s.catalogue, body.Filters, matchScorer)
	if err != nil {
		return err
	}
	if col := body.Sort.column(""); col == "name" {
		sortBy(list, body.Sort.ascending(true), func(a, b scoring.Scorer) int { return strings.Compare(a.Name, b.Name) })
	}
	scorers, env := pageOf(pg, list, scorerJSON)
	return c.json(http.StatusOK, galileo.ListScorersResponse{Page: env, Scorers: scorers})
}

// matchScorer answers filter i of POST /scorers/list for sc.
func matchScorer(i int, f listFilter, sc scoring.Scorer) (bool, error) {
	switch f.column() {
	case "name":
		return matchText(i, f, sc.Name, false)
	case "label":
		m, err := matchText(i, f, sc.Label, true)
		if err == nil && !m && f.Strict != nil && !*f.Strict {
			// strict=false: a scorer also matches by name.
			return matchText(i, f, sc.Name, true)
		}
		return m, err
	case "id":
		return matchText(i, f, sc.ID, false)
	case "scorer_type":
		return matchText(i, f, sc.ScorerType, true)
	case "model_type":
		return matchText(i, f, sc.ModelType, true)
	case "tags":
		var err error
		m := false
		for _, t := range sc.Tags {
			mm, e := matchText(i, listFilter{Operator: "one_of", Value: f.Value}, t, true)
			if e != nil {
				err = e
			}
			m = m || mm
		}
		return m, err
	case "exclude_slm_scorers":
		if b, _ := f.Value.(bool); b {
			return sc.ModelType != "slm", nil
		}
	}
	return true, nil
}

func (s *Server) scorerByID(id string) (scoring.Scorer, error) {
	for _, sc := range s.catalogue {
		if strings.EqualFold(sc.ID, id) {
			return sc, nil
		}
	}
	return scoring.Scorer{}, notFound("Scorer", id)
}

func (s *Server) handleGetScorer(c *call) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sc, err := s.scorerByID(c.param("scorer_id"))
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, scorerJSON(sc))
}

func (s *Server) handleGetScorerVersion(c *call) error {
	ver := 1
	if v := c.query("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return invalid("int_parsing", "Input should be a valid integer", "query", "version")
		}
		ver = n
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	sc, err := s.scorerByID(c.param("scorer_id"))
	if err != nil {
		return err
	}
	if ver != 1 {
		return errorf(http.StatusNotFound, "Version %d of scorer %s not found", ver, sc.ID)
	}
	out := map[string]any{
		"id": derivedID("scorer-version", sc.ID, "1"), "version": 1, "scorer_id": sc.ID,
		"created_at": rfc(catalogueEpoch), "updated_at": rfc(catalogueEpoch), "created_by": nil,
	}
	if sc.JudgeModel != "" {
		out["model_name"] = sc.JudgeModel
		out["num_judges"] = sc.NumJudges
	}
	if sc.OutputType != "" {
		out["output_type"] = sc.OutputType
	}
	return c.json(http.StatusOK, out)
}
