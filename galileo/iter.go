package galileo

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// DefaultPageSize is the page size the iterators of this package ask for
// when the caller gives none; it is the API's own default.
const DefaultPageSize = 100

// Collect drains seq into a slice. It stops at the first error and returns
// the items read before it together with the error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// pageFunc fetches the page that starts at offset start. It returns the
// page's items and the API's next_starting_token (nil on the last page).
type pageFunc[T any] func(ctx context.Context, start int) (items []T, next *int, err error)

// paginate walks offset-paginated results from offset start. It follows
// next_starting_token until it is null (the API's paginated flag is not
// trusted), and also stops on an empty page or on a token that does not move
// forward, so a misbehaving server cannot make it loop forever. An error is
// yielded once, as the last element.
func paginate[T any](ctx context.Context, start int, fetch pageFunc[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			items, next, err := fetch(ctx, start)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == nil || len(items) == 0 {
				return
			}
			if *next <= start {
				yield(zero, fmt.Errorf("galileo: pagination: next_starting_token %d does not move past %d", *next, start))
				return
			}
			start = *next
		}
	}
}

// pageQuery returns the starting_token and limit query parameters.
func pageQuery(start, limit int) url.Values {
	return url.Values{"starting_token": {strconv.Itoa(start)}, "limit": {strconv.Itoa(limit)}}
}
