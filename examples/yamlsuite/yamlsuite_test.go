package yamlsuite

import (
	"testing"

	"github.com/galileo-community/galileo-go/galileotest"
)

// TestEvals runs every fixture of testdata/evals: one parallel subtest per
// file, one per experiment, one per threshold, e.g.
// TestEvals/capitals/capitals-perfect/correctness/avg_ge_0.95.
func TestEvals(t *testing.T) {
	galileotest.RunDir(t, "testdata/evals")
}
