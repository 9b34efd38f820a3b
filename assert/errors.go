package assert

import (
	"fmt"
	"strings"
)

// ParseError describes a malformed threshold expression. Col points at the
// first character of the offending token (or one past the end of the
// expression when more input was expected).
type ParseError struct {
	Expr string // the expression as written
	Col  int    // 1-based column, counted in characters (runes)
	Msg  string // what was expected or what is wrong
}

// Error renders the problem on one line, e.g.
// "avg >== 0.9: column 6: expected a number".
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s: column %d: %s", e.Expr, e.Col, e.Msg)
}

// Caret returns the expression and, on a second line, a caret under the
// offending column:
//
//	avg >== 0.9
//	     ^
//
// Tabs before the column are kept so the caret lines up in a terminal.
func (e *ParseError) Caret() string {
	var pad strings.Builder
	col := 1
	for _, r := range e.Expr {
		if col >= e.Col {
			break
		}
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
		col++
	}
	for ; col < e.Col; col++ { // column one past the end
		pad.WriteByte(' ')
	}
	return e.Expr + "\n" + pad.String() + "^"
}
