package galileotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
)

// runFacts are what the harness knows about the code under test and the CI
// run: they feed naming templates and are written as experiment tags.
type runFacts struct {
	Provider string // github, gitlab, buildkite, circleci, jenkins, or "" (local)
	GitSHA   string // short SHA (7 characters)
	Branch   string
	RunID    string
	Attempt  int // 1 for the first attempt
}

// Tags written on every experiment, next to the fixture's own tags.
const (
	TagGitSHA    = "git_sha"
	TagBranch    = "git_branch"
	TagCIRunID   = "ci_run_id"
	TagCIAttempt = "ci_run_attempt"
	TagCI        = "ci_provider"
	TagHarness   = "harness"
)

// gitTimeout bounds each git command run to find the commit and branch.
const gitTimeout = 2 * time.Second

// ciProvider names the variables of one CI provider that hold the commit,
// branch, run id and attempt; "a|b" means a, else b.
type ciProvider struct {
	provider, marker, sha, branch, runID, attempt string
	attemptZeroBased                              bool
}

// ciProviders lists the CI providers the harness knows. The first whose
// marker (or commit) variable is set wins.
func ciProviders() []ciProvider {
	return []ciProvider{
		{provider: "github", marker: "GITHUB_ACTIONS", sha: "GITHUB_SHA", branch: "GITHUB_HEAD_REF|GITHUB_REF_NAME", runID: "GITHUB_RUN_ID", attempt: "GITHUB_RUN_ATTEMPT"},
		{provider: "gitlab", marker: "GITLAB_CI", sha: "CI_COMMIT_SHA", branch: "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME|CI_COMMIT_REF_NAME", runID: "CI_PIPELINE_ID", attempt: ""},
		{provider: "buildkite", marker: "BUILDKITE", sha: "BUILDKITE_COMMIT", branch: "BUILDKITE_BRANCH", runID: "BUILDKITE_BUILD_ID", attempt: "BUILDKITE_RETRY_COUNT", attemptZeroBased: true},
		{provider: "circleci", marker: "CIRCLECI", sha: "CIRCLE_SHA1", branch: "CIRCLE_BRANCH", runID: "CIRCLE_WORKFLOW_ID", attempt: ""},
		{provider: "jenkins", marker: "JENKINS_URL", sha: "GIT_COMMIT", branch: "BRANCH_NAME|GIT_BRANCH", runID: "BUILD_ID", attempt: ""},
	}
}

// detectFacts reads the CI variables through lookup and, for whatever is
// still unknown and when runGit is set, asks git (with a short timeout).
func detectFacts(ctx context.Context, lookup func(string) (string, bool), runGit bool) runFacts {
	get := func(names string) string {
		if names == "" {
			return ""
		}
		for n := range strings.SplitSeq(names, "|") {
			if v, ok := lookup(n); ok && strings.TrimSpace(v) != "" {
				return strings.TrimSpace(v)
			}
		}
		return ""
	}
	var f runFacts
	for _, p := range ciProviders() {
		if get(p.marker) == "" && get(p.sha) == "" {
			continue
		}
		f.Provider = p.provider
		f.GitSHA = get(p.sha)
		f.Branch = strings.TrimPrefix(get(p.branch), "origin/")
		f.RunID = get(p.runID)
		if a, err := strconv.Atoi(get(p.attempt)); err == nil {
			if p.attemptZeroBased {
				a++
			}
			f.Attempt = a
		}
		break
	}
	if runGit && (f.GitSHA == "" || f.Branch == "") {
		if f.GitSHA == "" {
			f.GitSHA = git(ctx, "rev-parse", "HEAD")
		}
		if f.Branch == "" {
			if b := git(ctx, "rev-parse", "--abbrev-ref", "HEAD"); b != "HEAD" {
				f.Branch = b
			}
		}
	}
	if len(f.GitSHA) > 7 {
		f.GitSHA = f.GitSHA[:7]
	}
	if f.Attempt == 0 {
		f.Attempt = 1
	}
	return f
}

// git runs a git command in the working directory and returns its trimmed
// output, or "" on any failure.
func git(ctx context.Context, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Stderr = nil
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// runFacts returns the facts, detecting them on first use.
func (r *Runner) runFacts(ctx context.Context) runFacts {
	r.factsOnce.Do(func() {
		lookup, runGit := os.LookupEnv, true
		if r.s.hasLookup {
			lookup, runGit = r.s.lookup, false
			if lookup == nil {
				lookup = func(string) (string, bool) { return "", false }
			}
		}
		r.facts = detectFacts(context.WithoutCancel(ctx), lookup, runGit)
	})
	return r.facts
}

// tags returns the experiment tags: the facts, then the experiment's own
// (which win on a clash).
func (f runFacts) tags(own map[string]string) map[string]string {
	t := map[string]string{TagHarness: "galileotest"}
	add := func(k, v string) {
		if v != "" {
			t[k] = v
		}
	}
	add(TagGitSHA, f.GitSHA)
	add(TagBranch, f.Branch)
	add(TagCI, f.Provider)
	add(TagCIRunID, f.RunID)
	if f.RunID != "" {
		add(TagCIAttempt, strconv.Itoa(f.Attempt))
	}
	for k, v := range own {
		t[k] = v
	}
	return t
}

// nameData is what naming templates see.
func (f runFacts) nameData(name string, now time.Time) fixtures.NameData {
	return fixtures.NameData{Name: name, GitSHA: f.GitSHA, Branch: f.Branch, RunID: f.RunID, Attempt: f.Attempt, Timestamp: now.UTC()}
}

// uniqueName returns <name>-<UTC timestamp>-<short random>[-<git sha>].
func uniqueName(name string, now time.Time, sha string) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	s := name + "-" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
	if sha != "" {
		s += "-" + sha
	}
	return s
}

// rerunName returns the n-th name of the rerun strategy: name, then
// name-rerun-1, name-rerun-2, ...
func rerunName(name string, n int) string {
	if n == 0 {
		return name
	}
	return name + "-rerun-" + strconv.Itoa(n)
}

// firstFreeRerun returns the first rerun name not in taken.
func firstFreeRerun(name string, taken map[string]bool) string {
	for n := 0; ; n++ {
		if c := rerunName(name, n); !taken[c] {
			return c
		}
	}
}

// maxNameAttempts bounds the create retries of the naming strategies.
const maxNameAttempts = 20

// created is the outcome of naming and creating (or re-attaching to) an
// experiment.
type created struct {
	exp        *galileo.ExperimentResponse
	reattached bool
	attempts   int
}

// createNamed creates the experiment req describes under a name chosen by
// the plan's naming strategy. req.Name is ignored.
//
//   - unique: a fresh name; a clash (practically impossible) is retried;
//   - rerun: the first free name of name, name-rerun-1, ...: the
//     experiment is created under a unique name and then renamed, so that
//     an uncertain create is settled by a look-up and never leaves an
//     orphan; a clash on the rename moves on to the next free name;
//   - template: a deterministic name; when the experiment exists already
//     (a CI retry), the harness re-attaches to it instead of creating a
//     second one.
func (r *Runner) createNamed(ctx context.Context, c *galileo.Client, p *plan, projectID string, req galileo.ExperimentCreateRequest) (created, error) {
	facts := r.runFacts(ctx)
	now := time.Now()
	switch p.naming.Strategy {
	case fixtures.NamingTemplate:
		name, err := p.naming.Execute(facts.nameData(p.x.Name, now))
		if err != nil {
			return created{}, p.inputErr(0, "naming.template", "%v", err)
		}
		unlock := r.names.lock(projectID + "\x00" + name)
		defer unlock()
		return createTemplated(ctx, c, projectID, name, req)
	case fixtures.NamingRerun:
		unlock := r.names.lock(projectID + "\x00" + p.x.Name)
		defer unlock()
		req.Name = uniqueName(p.x.Name, now, facts.GitSHA)
		exp, err := c.Experiments.Create(ctx, projectID, req)
		if err != nil {
			return created{}, &SetupError{Step: "create experiment " + strconv.Quote(req.Name), Err: err}
		}
		return r.renameToRerun(ctx, c, projectID, p.x.Name, exp)
	default: // unique
		var lastErr error
		for attempt := 1; attempt <= 3; attempt++ {
			req.Name = uniqueName(p.x.Name, now, facts.GitSHA)
			exp, err := c.Experiments.Create(ctx, projectID, req)
			if errors.Is(err, galileo.ErrConflict) {
				lastErr = err
				continue
			}
			if err != nil {
				return created{}, &SetupError{Step: "create experiment " + strconv.Quote(req.Name), Err: err}
			}
			return created{exp: exp, attempts: attempt}, nil
		}
		return created{}, &SetupError{Step: "create experiment", Err: lastErr}
	}
}

// createTemplated creates the experiment under a deterministic name, or
// re-attaches to the one of that name that exists (a CI retry). The name
// is not ours alone, so an uncertain create is settled by looking the name
// up — which re-attaches — rather than by the client's silent look-up; a
// create that failed without creating anything (a 503, a dropped
// connection) is tried again, with backoff, within ctx.
func createTemplated(ctx context.Context, c *galileo.Client, projectID, name string, req galileo.ExperimentCreateRequest) (created, error) {
	req.Name = name
	step := "create experiment " + strconv.Quote(name)
	delay := 200 * time.Millisecond
	var lastErr error
	for attempt := 1; attempt <= maxNameAttempts; attempt++ {
		existing, err := c.Experiments.GetByName(ctx, projectID, name)
		switch {
		case err == nil:
			return created{exp: existing, reattached: true, attempts: attempt}, nil
		case !errors.Is(err, galileo.ErrNotFound):
			return created{}, &SetupError{Step: "look up experiment " + strconv.Quote(name), Err: err}
		}
		exp, err := c.Experiments.Create(ctx, projectID, req, galileo.WithoutNameLookup())
		switch {
		case err == nil:
			return created{exp: exp, attempts: attempt}, nil
		case errors.Is(err, galileo.ErrConflict):
			lastErr = err // created by another process meanwhile: re-attach
			continue
		case !errors.Is(err, galileo.ErrOutcomeUnknown):
			return created{}, &SetupError{Step: step, Err: err}
		}
		lastErr = err
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return created{}, &SetupError{Step: step, Err: fmt.Errorf("%w (last attempt: %v)", context.Cause(ctx), lastErr)}
		case <-t.C:
		}
		delay = min(2*delay, 5*time.Second)
	}
	return created{}, &SetupError{Step: step, Err: fmt.Errorf("gave up after %d attempts: %w", maxNameAttempts, lastErr)}
}

// renameToRerun gives the experiment exp, created under a name of its own,
// the first free rerun name of base. A clash (409, or a duplicate of an
// older experiment on a server that accepts duplicate names) moves on to
// the next free name; exp is never deleted and never duplicated.
func (r *Runner) renameToRerun(ctx context.Context, c *galileo.Client, projectID, base string, exp *galileo.ExperimentResponse) (created, error) {
	var lastErr error
	for attempt := 1; attempt <= maxNameAttempts; attempt++ {
		list, err := c.Experiments.List(ctx, projectID)
		if err != nil {
			return created{}, &SetupError{Step: "list experiments", Err: err}
		}
		taken := make(map[string]bool, len(list))
		for _, e := range list {
			if e.ID != exp.ID {
				taken[e.Name] = true
			}
		}
		name := firstFreeRerun(base, taken)
		renamed, err := c.Experiments.Update(ctx, projectID, exp.ID, galileo.ExperimentUpdateRequest{Name: name, TaskType: exp.TaskType})
		if errors.Is(err, galileo.ErrConflict) {
			lastErr = err
			continue
		}
		if err != nil {
			return created{}, &SetupError{Step: fmt.Sprintf("rename experiment %s to %q (it keeps its name)", exp.Name, name), Err: err}
		}
		if keep, kerr := r.keepsName(ctx, c, projectID, renamed); kerr == nil && !keep {
			lastErr = fmt.Errorf("name %q was taken concurrently", name)
			continue
		}
		return created{exp: renamed, attempts: attempt}, nil
	}
	return created{}, &SetupError{Step: "name experiment " + exp.Name, Err: fmt.Errorf("no free rerun name for %q after %d attempts (it keeps its name): %w", base, maxNameAttempts, lastErr)}
}

// keepsName reports whether exp, just renamed, keeps its name on a server
// that accepts duplicate names (on one that answers 409 there is never
// another). An older experiment of the same name keeps it. A younger one
// gives it up when it sees exp — unless it checked before exp's rename
// landed, so after a grace period in which its check must have happened,
// exp keeps the name only if the younger ones moved on. Ties in age are
// broken by id.
func (r *Runner) keepsName(ctx context.Context, c *galileo.Client, projectID string, exp *galileo.ExperimentResponse) (bool, error) {
	others, err := sameName(ctx, c, projectID, exp)
	if err != nil || len(others) == 0 {
		return err == nil, err
	}
	for _, e := range others {
		if e.CreatedAt.Before(exp.CreatedAt) || (e.CreatedAt.Equal(exp.CreatedAt) && e.ID < exp.ID) {
			return false, nil
		}
	}
	t := time.NewTimer(nameGrace)
	select {
	case <-ctx.Done():
		t.Stop()
		return false, context.Cause(ctx)
	case <-t.C:
	}
	others, err = sameName(ctx, c, projectID, exp)
	return err == nil && len(others) == 0, err
}

// nameGrace is how long an experiment that found a younger one under its
// name waits for that one's own check.
const nameGrace = 300 * time.Millisecond

// sameName lists the other experiments named like exp.
func sameName(ctx context.Context, c *galileo.Client, projectID string, exp *galileo.ExperimentResponse) ([]galileo.ExperimentResponse, error) {
	cs := true
	res, err := c.Experiments.Search(ctx, projectID, galileo.ExperimentSearchRequest{
		Limit:   10,
		Filters: []galileo.Filter{{Name: "name", Operator: "eq", Value: exp.Name, CaseSensitive: &cs}},
	})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(res.Experiments, func(e galileo.ExperimentResponse) bool { return e.Name != exp.Name || e.ID == exp.ID }), nil
}
