package emulator

import (
	"net/http"
	"strings"
	"testing"
)

func TestExperiments_DuplicateNames(t *testing.T) {
	cases := []struct {
		rule   DuplicateNames
		status int // of the second create and of the rename onto a taken name
		stored int // experiments named "nightly" in the end
	}{
		{"", http.StatusOK, 3}, // the default is allow
		{DuplicateNamesAllow, http.StatusOK, 3},
		{DuplicateNamesReject, http.StatusConflict, 1},
	}
	for _, tc := range cases {
		name := string(tc.rule)
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			s := newTestServer(t, Options{DuplicateNames: tc.rule})
			a := newAPI(t, s)
			f := seed(t, s, qaRows)
			base := "/projects/" + f.pid + "/experiments"
			first := a.ok(http.StatusOK, "POST", base, map[string]any{"name": "nightly", "task_type": 16}).json(t)
			r := a.do("POST", base, map[string]any{"name": "nightly", "task_type": 16}, invalidRequestHeader, "1")
			if r.status != tc.status {
				t.Fatalf("second create of %q: %d %s, want %d", "nightly", r.status, r.body, tc.status)
			}
			if tc.status == http.StatusConflict && !strings.Contains(string(r.body), "Experiment with name nightly already exists") {
				t.Errorf("409 body = %s", r.body)
			}
			if tc.status == http.StatusOK && r.json(t)["id"] == first["id"] {
				t.Errorf("the duplicate got the first experiment's id %v", first["id"])
			}
			other := a.ok(http.StatusOK, "POST", base, map[string]any{"name": "other", "task_type": 16}).json(t)
			r = a.do("PUT", base+"/"+other["id"].(string), map[string]any{"name": "nightly", "task_type": 16}, invalidRequestHeader, "1")
			if r.status != tc.status {
				t.Fatalf("rename onto %q: %d %s, want %d", "nightly", r.status, r.body, tc.status)
			}
			var list []map[string]any
			a.ok(http.StatusOK, "GET", base, nil).decode(t, &list)
			n := 0
			for _, e := range list {
				if e["name"] == "nightly" {
					n++
				}
			}
			if n != tc.stored {
				t.Errorf("%d experiments named nightly listed, want %d", n, tc.stored)
			}
		})
	}
}

func TestNew_RejectsUnknownDuplicateNames(t *testing.T) {
	_, err := NewUnstarted(Options{DuplicateNames: "sometimes"})
	if err == nil || !strings.Contains(err.Error(), `"sometimes" is not one of "allow", "reject"`) {
		t.Errorf("NewUnstarted with DuplicateNames sometimes = %v", err)
	}
	for in, want := range map[string]DuplicateNames{"allow": DuplicateNamesAllow, " Reject ": DuplicateNamesReject} {
		if got, err := ParseDuplicateNames(in); err != nil || got != want {
			t.Errorf("ParseDuplicateNames(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseDuplicateNames("deny"); err == nil {
		t.Error(`ParseDuplicateNames("deny") succeeded`)
	}
}
