package galileo

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/galileo-community/galileo-go/internal/textdist"
)

// ScorersService handles scorers (/scorers) and the scorer settings of runs.
type ScorersService struct{ c *Client }

// List iterates over every scorer matching filters (POST /scorers/list, all
// pages). nil filters list every scorer.
func (s *ScorersService) List(ctx context.Context, filters []Filter) iter.Seq2[Scorer, error] {
	return paginate(ctx, 0, func(ctx context.Context, start int) ([]Scorer, *int, error) {
		var page ListScorersResponse
		req := &request{method: http.MethodPost, path: "/scorers/list", query: pageQuery(start, DefaultPageSize), body: ListParams{Filters: filters}, idempotent: true}
		if _, err := s.c.call(ctx, req, &page); err != nil {
			return nil, nil, err
		}
		return page.Scorers, page.NextStartingToken, nil
	})
}

// Resolve turns metric names into scorers, as the official Python SDK does:
// scorer UUIDs are looked up by id; any other string by label, with the
// server matching case-insensitively and also on scorer names
// (case_sensitive false, strict false). The client then takes, for each
// string, the scorer whose label is exactly that string, else the one whose
// name is exactly that string, else the same in any case ("CORRECTNESS"),
// else the scorer whose metric name (metric_key_alias, such as
// "completeness_gpt") is that string. [ExperimentsService.ResolveMetrics]
// adds system metrics and the aliases of the experiment columns.
//
// The result holds one scorer per distinct metric, in the order given. When
// any metric is unknown, Resolve returns an [*UnknownMetricError] naming
// every unknown metric with the closest scorer labels and names, so that
// nothing is created with a misspelt metric.
func (s *ScorersService) Resolve(ctx context.Context, metrics []string) ([]Scorer, error) {
	found, unknown, err := s.resolve(ctx, metrics)
	switch {
	case err != nil:
		return nil, err
	case unknown != nil:
		return nil, unknown
	}
	var out []Scorer
	seen := map[string]bool{}
	for _, m := range metrics {
		m = strings.TrimSpace(m)
		if !seen[m] {
			seen[m] = true
			out = append(out, found[m])
		}
	}
	return out, nil
}

// valueFilter sets f's operator and value: eq for one value, one_of for several.
func valueFilter(f Filter, values []string) Filter {
	if len(values) == 1 {
		f.Operator, f.Value = "eq", values[0]
	} else {
		f.Operator, f.Value = "one_of", values
	}
	return f
}

// IsID reports whether s is an id as Galileo writes them: a UUID in its
// canonical 8-4-4-4-12 hex form. Names and ids share parameters in several
// places (a project "NAME|ID", a metric name or scorer UUID); this is the
// one test that tells them apart.
func IsID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// UnknownMetricError reports metrics that match no scorer. Its text names
// every unknown metric, the close matches for each, and the available
// scorers, for example:
//
//	galileo: unknown metric "corectness" (did you mean "correctness"?); available: BLEU (bleu), Correctness (correctness)
//
// When more than eight scorers are available the text names only the eight
// closest to the unknown metrics (by edit distance) and counts the rest:
//
//	galileo: unknown metric "corectness" (did you mean "correctness"?); closest available: Correctness (correctness), SQL Correctness (sql_correctness), Completeness (completeness), Agent Flow (agent_flow), Input Tone (input_tone_gpt), Input Tone (SLM) (input_tone), ROUGE (rouge), BLEU (bleu) and 46 more (the Galileo console lists every scorer)
//
// Available always holds the full list.
type UnknownMetricError struct {
	// Unknown lists the metrics that matched nothing, in the order given.
	Unknown []string
	// Suggestions maps an unknown metric to the closest scorer labels or
	// names (best first); it has no entry when nothing is close.
	Suggestions map[string][]string
	// Available describes every scorer as "Label (name)", or "name" when the
	// scorer has no label or the label equals the name, sorted without
	// regard to case. It is complete even when the text names only some.
	Available []string
}

// Error lists every unknown metric with its suggestions, then the available
// scorers: all of them when there are at most eight, else the eight closest
// to the unknown metrics and how many more there are.
func (e *UnknownMetricError) Error() string {
	var b strings.Builder
	b.WriteString("galileo: unknown metric")
	if len(e.Unknown) > 1 {
		b.WriteString("s")
	}
	for i, m := range e.Unknown {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %q", m)
		if sug := e.Suggestions[m]; len(sug) > 0 {
			q := make([]string, len(sug))
			for j, s := range sug {
				q[j] = fmt.Sprintf("%q", s)
			}
			fmt.Fprintf(&b, " (did you mean %s?)", strings.Join(q, " or "))
		} else if IsID(m) {
			b.WriteString(" (no scorer has this id)")
		}
	}
	switch n := len(e.Available); {
	case n == 0:
		b.WriteString("; no scorers are available")
	case n <= maxAvailableShown:
		b.WriteString("; available: ")
		b.WriteString(strings.Join(e.Available, ", "))
	default:
		if slices.ContainsFunc(e.Unknown, func(m string) bool { return !IsID(m) }) {
			b.WriteString("; closest available: ")
		} else {
			b.WriteString("; available: ")
		}
		b.WriteString(strings.Join(closestAvailable(e.Unknown, e.Available, maxAvailableShown), ", "))
		fmt.Fprintf(&b, " and %d more (the Galileo console lists every scorer)", n-maxAvailableShown)
	}
	return b.String()
}

// maxAvailableShown caps the available scorers an [UnknownMetricError]
// names in its text.
const maxAvailableShown = 8

// closestAvailable returns the n entries of available (each "Label (name)"
// or "name") closest to any of the unknown metrics, closest first: the
// distance of an entry is the smallest edit distance between a metric and
// its label or name, compared without case, spaces, hyphens or
// underscores. Ties keep the order of available. Scorer ids are not
// compared; when every unknown metric is an id, the first n entries are
// returned.
func closestAvailable(unknown, available []string, n int) []string {
	var ms []string
	for _, m := range unknown {
		if !IsID(m) {
			ms = append(ms, normalizeMetric(m))
		}
	}
	type entry struct {
		s    string
		dist int
	}
	es := make([]entry, len(available))
	for i, a := range available {
		names := []string{a}
		if label, name, ok := splitAvailable(a); ok {
			names = []string{label, name}
		}
		d := -1
		for _, m := range ms {
			for _, c := range names {
				if x := textdist.Distance(m, normalizeMetric(c)); d < 0 || x < d {
					d = x
				}
			}
		}
		es[i] = entry{a, d}
	}
	slices.SortStableFunc(es, func(a, b entry) int { return a.dist - b.dist })
	out := make([]string, 0, n)
	for _, e := range es[:min(n, len(es))] {
		out = append(out, e.s)
	}
	return out
}

// splitAvailable splits an entry of [UnknownMetricError.Available] written
// "Label (name)" into its label and name.
func splitAvailable(a string) (label, name string, ok bool) {
	i := strings.LastIndex(a, " (")
	if i < 0 || !strings.HasSuffix(a, ")") {
		return "", "", false
	}
	return a[:i], a[i+2 : len(a)-1], true
}

// maxSuggestions caps the close matches named per unknown metric.
const maxSuggestions = 3

func newUnknownMetricError(unknown []string, all []Scorer) *UnknownMetricError {
	e := &UnknownMetricError{Unknown: unknown, Suggestions: map[string][]string{}}
	var cands []string
	seen := map[string]bool{}
	add := func(c string) {
		if c != "" && !seen[c] {
			seen[c] = true
			cands = append(cands, c)
		}
	}
	for _, sc := range all {
		label := sc.ScorerLabel()
		if label != sc.Name {
			e.Available = append(e.Available, label+" ("+sc.Name+")")
		} else {
			e.Available = append(e.Available, sc.Name)
		}
		add(label)
		add(sc.Name)
	}
	slices.SortFunc(e.Available, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	e.Available = slices.Compact(e.Available)
	for _, m := range unknown {
		if IsID(m) {
			continue
		}
		if s := closeMatches(m, cands); len(s) > 0 {
			e.Suggestions[m] = s
		}
	}
	return e
}

// closeMatches returns the candidates close to m, best first: equal but for
// case, spaces, hyphens or underscores; then prefixes; then small edit
// distances (a swap of two neighbouring letters counts as one edit).
// Candidates that differ only in those ways (a label and its scorer name)
// are reported once, as the one spelt most like m.
func closeMatches(m string, cands []string) []string {
	type scored struct {
		c     string
		score int
		raw   int
	}
	nm := normalizeMetric(m)
	best := map[string]int{} // normalized candidate -> index in hits
	var hits []scored
	for _, c := range cands {
		nc := normalizeMetric(c)
		score := -1
		switch {
		case nc == nm:
			score = 0
		case len(nm) >= 3 && (strings.HasPrefix(nc, nm) || strings.HasPrefix(nm, nc) && len(nc) >= 3):
			score = 1
		default:
			if d := textdist.Distance(nm, nc); d <= editBudget(len(nm)) {
				score = 1 + d
			}
		}
		if score < 0 {
			continue
		}
		h := scored{c, score, textdist.Distance(m, c)}
		if i, ok := best[nc]; ok {
			if h.raw < hits[i].raw {
				hits[i] = h
			}
			continue
		}
		best[nc] = len(hits)
		hits = append(hits, h)
	}
	slices.SortStableFunc(hits, func(a, b scored) int {
		if a.score != b.score {
			return a.score - b.score
		}
		return a.raw - b.raw
	})
	var out []string
	for _, h := range hits {
		if len(out) == maxSuggestions {
			break
		}
		out = append(out, h.c)
	}
	return out
}

// editBudget is the largest edit distance still reported as a close match.
func editBudget(n int) int {
	switch {
	case n <= 4:
		return 1
	case n <= 8:
		return 2
	default:
		return 3
	}
}

// normalizeMetric lowercases s and drops spaces, hyphens and underscores.
func normalizeMetric(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_':
			return -1
		}
		return r
	}, strings.ToLower(s))
}

// Version returns version n of a scorer (GET /scorers/{scorer_id}/version
// ?version=n), or its latest version when n is 0. Put it in a config with
// [Scorer.ConfigVersion] to pin the version a run is scored with, as the
// Python SDK does for Metric(name=..., version=n).
func (s *ScorersService) Version(ctx context.Context, scorerID string, n int) (*ScorerVersion, error) {
	if err := requireIDs("Scorers.Version", "scorer", scorerID); err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("galileo: Scorers.Version: version %d: expected a positive version, or 0 for the latest", n)
	}
	q := url.Values{}
	if n > 0 {
		q.Set("version", strconv.Itoa(n))
	}
	var out ScorerVersion
	req := &request{method: http.MethodGet, path: "/scorers/" + url.PathEscape(scorerID) + "/version", query: q, idempotent: true}
	if _, err := s.c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetRunSettings returns the scorers configured on a run (an experiment)
// (GET /projects/{pid}/runs/{run_id}/scorer-settings).
func (s *ScorersService) GetRunSettings(ctx context.Context, projectID, runID string) (*RunScorerSettingsResponse, error) {
	if err := requireIDs("Scorers.GetRunSettings", "project", projectID, "run", runID); err != nil {
		return nil, err
	}
	var out RunScorerSettingsResponse
	if _, err := s.c.call(ctx, &request{method: http.MethodGet, path: runSettingsPath(projectID, runID), idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetRunSettings registers the scorers that score a run's records
// (POST /projects/{pid}/runs/{run_id}/scorer-settings), as the SDKs do for
// experiments whose traces the client logs itself. Use [Scorer.Config] to
// turn the result of [ScorersService.Resolve] into configs.
func (s *ScorersService) SetRunSettings(ctx context.Context, projectID, runID string, scorers []ScorerConfig) (*RunScorerSettingsResponse, error) {
	if err := requireIDs("Scorers.SetRunSettings", "project", projectID, "run", runID); err != nil {
		return nil, err
	}
	if scorers == nil {
		scorers = []ScorerConfig{}
	}
	var out RunScorerSettingsResponse
	req := &request{method: http.MethodPost, path: runSettingsPath(projectID, runID), body: RunScorerSettingsRequest{RunID: runID, Scorers: scorers}, idempotent: true}
	if _, err := s.c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func runSettingsPath(projectID, runID string) string {
	return "/projects/" + url.PathEscape(projectID) + "/runs/" + url.PathEscape(runID) + "/scorer-settings"
}

// requireIDs checks that each (what, value) pair has a non-blank value.
func requireIDs(op string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			return fmt.Errorf("galileo: %s: empty %s id", op, pairs[i])
		}
	}
	return nil
}
