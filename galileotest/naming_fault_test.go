package galileotest

import (
	"context"
	"net/http"
	"testing"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// After a create whose answer was lost, rerun naming must not move on to
// the next name and leave the first experiment behind (an orphan that, for
// a prompt run, ran the model over every row).
func TestRunner_rerunNaming_lostCreateAnswerLeavesNoOrphan(t *testing.T) {
	t.Parallel()
	emu, direct := newEmulator(t)
	proxy := newFaultProxy(t, emu, once(http.MethodPost, "/experiments", faultDropAfter))
	r, err := NewRunner(WithClient(proxy.client(t, emu)), WithFunc("answer", echoFunc))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rep, err := r.Run(t.Context(), Experiment{Name: "nightly", Project: "orphans", Dataset: qaRows(), Function: "answer",
		Metrics: []string{"correctness"}, Naming: fixtures.Naming{Strategy: fixtures.NamingRerun}})
	if err != nil || rep.Status != report.StatusPassed {
		t.Fatalf("Run = %v, status %s", err, rep.Status)
	}
	if proxy.count(faultDropAfter) != 1 {
		t.Fatalf("the create's answer was not dropped (%d)", proxy.count(faultDropAfter))
	}
	list, err := direct.Experiments.List(context.Background(), rep.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "nightly" || list[0].ID != rep.ID {
		var names []string
		for _, e := range list {
			names = append(names, e.Name)
		}
		t.Errorf("experiments in the project: %v; want exactly the run's, named nightly", names)
	}
}

// A plain 503 on the create of a template-named experiment is retried: the
// name is deterministic, so a look-up settles whether it was created.
func TestRunner_templateNaming_retries503(t *testing.T) {
	t.Parallel()
	for _, f := range []fault{fault503, faultDropBefore, faultDropAfter} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			emu, direct := newEmulator(t)
			proxy := newFaultProxy(t, emu, once(http.MethodPost, "/experiments", f))
			r, err := NewRunner(WithClient(proxy.client(t, emu)), WithFunc("answer", echoFunc))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			rep, err := r.Run(t.Context(), Experiment{Name: "ci", Project: "tmpl", Dataset: qaRows(), Function: "answer",
				Metrics: []string{"correctness"}, Naming: fixtures.Naming{Strategy: fixtures.NamingTemplate, Template: "{{.Name}}-build-7"}})
			if err != nil || rep.Status != report.StatusPassed || rep.RunName != "ci-build-7" {
				t.Fatalf("Run = %v, status %s, name %q", err, rep.Status, rep.RunName)
			}
			list, err := direct.Experiments.List(context.Background(), rep.ProjectID)
			if err != nil || len(list) != 1 {
				t.Errorf("experiments in the project: %d (%v); want 1", len(list), err)
			}
		})
	}
}
