package report

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The Markdown report as parts that can be left out to fit a size limit.

// rowKind says what a table row shows; it decides which rows are cut
// first.
type rowKind int

const (
	rowPassed            rowKind = iota // a met threshold
	rowExperimentOK                     // an experiment that passed with no thresholds
	rowSkipped                          // a threshold not judged
	rowMissed                           // a missed threshold
	rowExperimentProblem                // an experiment that failed, errored or timed out
)

// mdTableHead opens the table.
const mdTableHead = "\n| Experiment | Metric | Statistic | Actual | Threshold | Verdict | Link |\n" +
	"|:--|:--|:--|--:|:--|:--|:--|\n"

// maxShortErrorBytes is what is kept of an error text when error texts
// are shortened to fit.
const maxShortErrorBytes = 1 << 10

type mdRow struct {
	kind rowKind
	text string
	cut  bool
}

type mdBlock struct {
	title, text string
	short, cut  bool
}

// render is the block as written: title, then the text in a fence.
func (b *mdBlock) render() string {
	fence := codeFence(b.text)
	return fmt.Sprintf("%s%stext\n%s\n%s\n", b.title, fence, b.text, fence)
}

// mdDoc is a Markdown report and what has been cut from it.
type mdDoc struct {
	head   string
	rows   []mdRow
	blocks []mdBlock
	body   int // bytes of the rows and blocks kept
	kept   int // rows kept
	// cut counts what was left out, for the closing note.
	cutRows                map[rowKind]int
	cutBlocks, shortBlocks int
}

func newMDDoc(r *Report) *mdDoc {
	d := &mdDoc{head: markdownHead(r), rows: markdownRows(r), blocks: append(markdownErrors(r), markdownConsistency(r)...), cutRows: map[rowKind]int{}}
	d.kept = len(d.rows)
	for _, row := range d.rows {
		d.body += len(row.text)
	}
	for i := range d.blocks {
		d.body += len(d.blocks[i].render())
	}
	return d
}

// size is the length of the document as writeTo would write it.
func (d *mdDoc) size() int {
	n := len(d.head) + d.body + len(d.note())
	if d.kept > 0 {
		n += len(mdTableHead)
	}
	return n
}

// fit cuts the document to at most budget bytes (see WriteMarkdown for
// the order) and reports whether it fits.
func (d *mdDoc) fit(budget int) bool {
	d.cutRowsOf([]rowKind{rowPassed, rowExperimentOK}, budget)
	d.cutRowsOf([]rowKind{rowSkipped}, budget)
	for i := len(d.blocks) - 1; i >= 0 && d.size() > budget; i-- {
		d.shorten(&d.blocks[i])
	}
	for i := len(d.blocks) - 1; i >= 0 && d.size() > budget; i-- {
		b := &d.blocks[i]
		d.body -= len(b.render())
		b.cut = true
		d.cutBlocks++
	}
	d.cutRowsOf([]rowKind{rowMissed, rowExperimentProblem}, budget)
	if d.size() > budget { // only an outsized line of facts is left: keep the heading
		head, _, _ := strings.Cut(d.head, "\n")
		d.head = head + "\n"
	}
	return d.size() <= budget
}

// cutRowsOf cuts rows of the given kinds, last first, until the document
// fits.
func (d *mdDoc) cutRowsOf(kinds []rowKind, budget int) {
	for i := len(d.rows) - 1; i >= 0 && d.size() > budget; i-- {
		row := &d.rows[i]
		if row.cut || !slices.Contains(kinds, row.kind) {
			continue
		}
		row.cut = true
		d.body -= len(row.text)
		d.kept--
		d.cutRows[row.kind]++
	}
}

// shorten keeps the first maxShortErrorBytes of a block's text.
func (d *mdDoc) shorten(b *mdBlock) {
	if b.cut || len(b.text) <= maxShortErrorBytes {
		return
	}
	d.body -= len(b.render())
	n := maxShortErrorBytes
	for n > 0 && !utf8.RuneStart(b.text[n]) { // do not split a character
		n--
	}
	b.text = b.text[:n] + "\n…"
	b.short = true
	d.shortBlocks++
	d.body += len(b.render())
}

// note is the closing line that says what was cut, or "".
func (d *mdDoc) note() string {
	var parts []string
	thresholds := d.cutRows[rowPassed] + d.cutRows[rowMissed] + d.cutRows[rowSkipped]
	if thresholds > 0 {
		var how []string
		for _, k := range []struct {
			kind rowKind
			word string
		}{{rowPassed, "passed"}, {rowMissed, "missed"}, {rowSkipped, "not judged"}} {
			if n := d.cutRows[k.kind]; n > 0 {
				how = append(how, fmt.Sprintf("%d %s", n, k.word))
			}
		}
		parts = append(parts, fmt.Sprintf("%d more %s not shown (%s)", thresholds, plural(thresholds, "threshold", "thresholds"), strings.Join(how, ", ")))
	}
	if n := d.cutRows[rowExperimentOK] + d.cutRows[rowExperimentProblem]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d more %s not shown", n, plural(n, "experiment row", "experiment rows")))
	}
	if d.shortBlocks > 0 {
		parts = append(parts, fmt.Sprintf("%d error %s shortened", d.shortBlocks, plural(d.shortBlocks, "text", "texts")))
	}
	if d.cutBlocks > 0 {
		parts = append(parts, fmt.Sprintf("%d error %s not shown", d.cutBlocks, plural(d.cutBlocks, "text", "texts")))
	}
	if len(parts) == 0 {
		return ""
	}
	return "\n… " + strings.Join(parts, "; ") + "; see the JSON report\n"
}

// writeTo writes what is kept of the document.
func (d *mdDoc) writeTo(b *bytes.Buffer) {
	b.WriteString(d.head)
	if d.kept > 0 {
		b.WriteString(mdTableHead)
		for _, row := range d.rows {
			if !row.cut {
				b.WriteString(row.text)
			}
		}
	}
	for i := range d.blocks {
		if !d.blocks[i].cut {
			b.WriteString(d.blocks[i].render())
		}
	}
	b.WriteString(d.note())
}
