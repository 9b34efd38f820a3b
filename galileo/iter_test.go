package galileo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// pages serves fixed pages: page i starts at starts[i].
func pagesFetch(pages [][]int, nexts []*int, calls *[]int) pageFunc[int] {
	return func(ctx context.Context, start int) ([]int, *int, error) {
		*calls = append(*calls, start)
		i := len(*calls) - 1
		if i >= len(pages) {
			return nil, nil, errors.New("fetched past the last page")
		}
		return pages[i], nexts[i], nil
	}
}

func TestPaginate(t *testing.T) {
	tests := []struct {
		name    string
		pages   [][]int
		nexts   []*int
		want    []int
		calls   []int
		wantErr string
	}{
		{"follows tokens until null", [][]int{{1, 2}, {3}}, []*int{ptr(2), nil}, []int{1, 2, 3}, []int{0, 2}, ""},
		{"ignores a token after an empty page", [][]int{{1}, {}}, []*int{ptr(1), ptr(5)}, []int{1}, []int{0, 1}, ""},
		{"token that does not advance", [][]int{{1}, {2}}, []*int{ptr(1), ptr(1)}, []int{1, 2}, []int{0, 1}, "does not move past 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls []int
			got, err := Collect(paginate(t.Context(), 0, pagesFetch(tc.pages, tc.nexts, &calls)))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) || !slices.Equal(calls, tc.calls) {
				t.Errorf("got %v from pages %v, want %v from %v", got, calls, tc.want, tc.calls)
			}
		})
	}
}

func TestPaginate_stopEarlyAndCancel(t *testing.T) {
	var calls []int
	seq := paginate(t.Context(), 0, pagesFetch([][]int{{1, 2}, {3}}, []*int{ptr(2), nil}, &calls))
	for v := range seq {
		if v == 1 {
			break
		}
	}
	if len(calls) != 1 {
		t.Errorf("%d pages fetched after stopping on the first item, want 1", len(calls))
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls = nil
	_, err := Collect(paginate(ctx, 0, pagesFetch([][]int{{1}}, []*int{nil}, &calls)))
	if !errors.Is(err, context.Canceled) || len(calls) != 0 {
		t.Errorf("error %v after %d fetches, want context.Canceled and none", err, len(calls))
	}
}

func TestCollect(t *testing.T) {
	boom := errors.New("boom")
	seq := func(yield func(string, error) bool) {
		_ = yield("a", nil) && yield("", boom) && yield("never", nil)
	}
	got, err := Collect(seq)
	if !errors.Is(err, boom) || !slices.Equal(got, []string{"a"}) {
		t.Errorf("Collect = %v, %v; want [a] and boom", got, err)
	}
}
