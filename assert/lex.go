package assert

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// tokKind classifies a token of a threshold expression.
type tokKind int

const (
	tEOF     tokKind = iota
	tNumber          // 0.95, -1, .5, 2e3
	tIdent           // avg, rate, ms, true, yes
	tString          // "yes" or 'yes'; val holds the unquoted text
	tOp              // >= > <= < == !=
	tDollar          // $
	tPercent         // %
	tLParen          // (
	tRParen          // )
	tOther           // any other character, including a lone = or !
)

// token is one lexeme with its source text and 1-based rune column.
type token struct {
	kind tokKind
	text string // source text
	val  string // unquoted value of a tString
	col  int
}

// describe names a token for an error message.
func (t token) describe() string {
	if t.kind == tEOF {
		return "end of expression"
	}
	return strconv.Quote(t.text)
}

// lex splits expr into tokens, ending with a tEOF token. Only unterminated
// or malformed quoted strings are errors here; everything else is left to
// the parser so that it can say what it expected.
func lex(expr string) ([]token, error) {
	var toks []token
	col := 1
	for i := 0; i < len(expr); {
		r, w := utf8.DecodeRuneInString(expr[i:])
		start, startCol := i, col
		emit := func(kind tokKind, n int) {
			text := expr[start : start+n]
			toks = append(toks, token{kind: kind, text: text, col: startCol})
			i += n
			col += utf8.RuneCountInString(text)
		}
		switch {
		case unicode.IsSpace(r):
			i += w
			col++
		case startsNumber(expr[i:]):
			emit(tNumber, scanNumber(expr[i:]))
		case r == '_' || unicode.IsLetter(r):
			n := 0
			for n < len(expr[i:]) {
				r2, w2 := utf8.DecodeRuneInString(expr[i+n:])
				if r2 != '_' && !unicode.IsLetter(r2) && !unicode.IsDigit(r2) {
					break
				}
				n += w2
			}
			emit(tIdent, n)
		case r == '"' || r == '\'':
			n, val, msg := scanString(expr[i:])
			if msg != "" {
				return nil, &ParseError{Expr: expr, Col: startCol, Msg: msg}
			}
			emit(tString, n)
			toks[len(toks)-1].val = val
		case r == '>' || r == '<' || r == '=' || r == '!':
			if i+1 < len(expr) && expr[i+1] == '=' {
				emit(tOp, 2)
			} else if r == '>' || r == '<' {
				emit(tOp, 1)
			} else {
				emit(tOther, 1)
			}
		case r == '$':
			emit(tDollar, 1)
		case r == '%':
			emit(tPercent, 1)
		case r == '(':
			emit(tLParen, 1)
		case r == ')':
			emit(tRParen, 1)
		default:
			emit(tOther, w)
		}
	}
	toks = append(toks, token{kind: tEOF, col: col})
	return toks, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// startsNumber reports whether s begins with a number: a digit, or a '.'
// or '-' that is followed by one.
func startsNumber(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if len(s) > 0 && s[0] == '.' {
		s = s[1:]
	}
	return len(s) > 0 && isDigit(s[0])
}

// scanNumber returns the length of the number at the start of s, which
// startsNumber has accepted: [-] digits [. digits] [(e|E) [+|-] digits].
func scanNumber(s string) int {
	n := 0
	if s[n] == '-' {
		n++
	}
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if n < len(s) && s[n] == '.' {
		n++
		for n < len(s) && isDigit(s[n]) {
			n++
		}
	}
	if n < len(s) && (s[n] == 'e' || s[n] == 'E') {
		m := n + 1
		if m < len(s) && (s[m] == '+' || s[m] == '-') {
			m++
		}
		if m < len(s) && isDigit(s[m]) {
			for m < len(s) && isDigit(s[m]) {
				m++
			}
			n = m
		}
	}
	return n
}

// isNumberText reports whether s is exactly one number token.
func isNumberText(s string) bool {
	return startsNumber(s) && scanNumber(s) == len(s)
}

// scanString scans a quoted string at the start of s. Double-quoted strings
// use Go escapes; single-quoted strings are taken literally. It returns the
// length of the literal and its value, or a message when it is malformed.
func scanString(s string) (n int, val, msg string) {
	if s[0] == '\'' {
		for j := 1; j < len(s); j++ {
			if s[j] == '\'' {
				return j + 1, s[1:j], ""
			}
		}
		return 0, "", "unterminated string: missing closing '"
	}
	for j := 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			v, err := strconv.Unquote(s[:j+1])
			if err != nil {
				return 0, "", `invalid escape in string: use Go escapes such as \" and \\`
			}
			return j + 1, v, ""
		}
	}
	return 0, "", `unterminated string: missing closing "`
}
