// Package svgchart draws the few charts the toolkit's reports need as plain SVG text:
// horizontal bars (stacked or not), a strip of pass/fail cells, a timeline of runs and
// small multiples of a series against its threshold. Nothing is fetched and nothing
// runs: the SVG is inlined in an HTML page or written as a file, and reads the same
// printed. Colours come from the Okabe-Ito palette, which stays distinguishable with
// the common colour-vision deficiencies; every mark that carries meaning also has a
// text (label, value, symbol or <title>), so the chart does not rest on colour alone.
//
// A chart is a value whose SVG method returns the document. Its width is fixed in user
// units (Width) and its viewBox lets a page scale it down (CSS max-width: 100%).
package svgchart

import (
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"dmt/pkg/rules"
)

// The Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008).
const (
	Black      = "#000000"
	Orange     = "#E69F00"
	SkyBlue    = "#56B4E9"
	Green      = "#009E73"
	Yellow     = "#F0E442"
	Blue       = "#0072B2"
	Vermillion = "#D55E00"
	Purple     = "#CC79A7"
	Grey       = "#999999"
)

// Palette is the order in which series take their colours when none is given.
var Palette = []string{Blue, Orange, Green, Vermillion, SkyBlue, Purple, Yellow, Black}

// Width is the width of every chart, in SVG user units (CSS pixels at full size).
const Width = 960

const (
	fontSize  = 12
	charWidth = 7.2 // generous advance of a 12 px sans-serif character, for layout only
	titleH    = 34
)

// Esc escapes s for XML text and attribute values.
func Esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Number formats n with a narrow no-break space between groups of three digits, as
// French typography writes them (15 512).
func Number(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// fit shortens s to at most n characters, ending it with an ellipsis when cut.
func fit(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 2 {
		return s
	}
	return string(r[:n-1]) + "…"
}

// open starts an SVG document of the given height with its title (also its accessible
// name) and a subtitle under it.
func open(b *strings.Builder, class, title, subtitle string, height int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart %s" role="img" aria-label="%s" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="%d">`+"\n",
		class, Esc(title), Width, height, Width, height, fontSize)
	fmt.Fprintf(b, "<title>%s</title>\n", Esc(title))
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", Width, height)
	fmt.Fprintf(b, `<text class="title" x="8" y="20" font-size="16" font-weight="bold">%s</text>`+"\n", Esc(title))
	for i, line := range wrap(subtitle) {
		fmt.Fprintf(b, `<text class="subtitle" x="8" y="%d" fill="#444444">%s</text>`+"\n", titleH+4+i*lineH, Esc(line))
	}
}

// lineH is the height of a line of subtitle.
const lineH = 16

// wrap cuts a subtitle into lines that fit the chart's width, at spaces.
func wrap(s string) []string {
	if s == "" {
		return nil
	}
	limit := int(math.Floor((Width - 16) / charWidth))
	var lines []string
	var cur []string
	n := 0
	for _, w := range strings.Fields(s) {
		l := len([]rune(w))
		if n > 0 && n+1+l > limit {
			lines = append(lines, strings.Join(cur, " "))
			cur, n = nil, 0
		}
		if n > 0 {
			n++
		}
		cur, n = append(cur, w), n+l
	}
	return append(lines, strings.Join(cur, " "))
}

// extra is the height the subtitle's lines after its first take.
func extra(subtitle string) int { return max(0, len(wrap(subtitle))-1) * lineH }

// NiceStep returns a step of 1, 2 or 5 times a power of ten that cuts span into about
// n intervals (at least 1).
func NiceStep(span float64, n int) float64 {
	if span <= 0 || n <= 0 {
		return 1
	}
	raw := span / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	var f float64
	switch r := raw / p; {
	case r <= 1:
		f = 1
	case r <= 2:
		f = 2
	case r <= 5:
		f = 5
	default:
		f = 10
	}
	return math.Max(1, f*p)
}

// Segment names one part of a stacked bar: its label in the legend and its colour.
type Segment struct {
	Label  string
	Colour string
}

// Bar is one row of a bar chart: its label, one value per segment (one value for a
// plain bar chart) and a note written after it.
type Bar struct {
	Label  string
	Values []int64
	Note   string
}

// Bars is a horizontal bar chart, stacked when it has more than one segment. Bars
// keep the order given; Unit names the x axis.
type Bars struct {
	Title, Subtitle string
	Unit            string
	Segments        []Segment
	Bars            []Bar
	Class           string // an extra class on the <svg>, for pages and tests
}

// SVG returns the chart as an SVG document.
func (c Bars) SVG() string {
	var b strings.Builder
	segs := c.Segments
	if len(segs) == 0 {
		segs = []Segment{{Label: c.Unit, Colour: Blue}}
	}
	labelChars := 10
	for _, bar := range c.Bars {
		labelChars = max(labelChars, len([]rune(bar.Label)))
	}
	labelChars = min(labelChars, 34)
	left := 16 + int(float64(labelChars)*charWidth)
	right := 190 // room for the total and its note
	plotW := float64(Width - left - right)
	top := titleH + 16 + extra(c.Subtitle)
	if c.Subtitle != "" {
		top += 16
	}
	if len(segs) > 1 {
		top += 22 // legend
	}
	const barH, gap = 20, 8
	height := top + len(c.Bars)*(barH+gap) + 44
	open(&b, "bars "+c.Class, c.Title, c.Subtitle, height)
	if len(segs) > 1 {
		x := 8
		ly := top - 16
		b.WriteString(`<g class="legend">` + "\n")
		for _, s := range segs {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n",
				x, ly-10, s.Colour, x+16, ly, Esc(s.Label))
			x += 16 + int(float64(len([]rune(s.Label)))*charWidth) + 18
		}
		b.WriteString("</g>\n")
	}
	var most int64 = 1
	for _, bar := range c.Bars {
		var sum int64
		for _, v := range bar.Values {
			sum += max(v, 0)
		}
		most = max(most, sum)
	}
	step := NiceStep(float64(most), 5)
	hi := math.Ceil(float64(most)/step) * step
	x := func(v float64) float64 { return float64(left) + plotW*v/hi }
	bottom := top + len(c.Bars)*(barH+gap)
	b.WriteString(`<g class="grid" stroke="#dddddd">` + "\n")
	for v := 0.0; v <= hi+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>`+"\n", x(v), top-4, x(v), bottom)
	}
	b.WriteString("</g>\n<g class=\"x-labels\" text-anchor=\"middle\" fill=\"#333333\">\n")
	for v := 0.0; v <= hi+step/2; v += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`+"\n", x(v), bottom+16, Number(int64(v)))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, `<text class="x-title" x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", float64(left)+plotW/2, bottom+34, Esc(c.Unit))
	for i, bar := range c.Bars {
		y := top + i*(barH+gap)
		fmt.Fprintf(&b, `<g class="bar" data-label="%s">`+"\n", Esc(bar.Label))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s<title>%s</title></text>`+"\n", left-6, y+barH-6, Esc(fit(bar.Label, labelChars)), Esc(bar.Label))
		pos := 0.0
		var sum int64
		for k, v := range bar.Values {
			if v <= 0 || k >= len(segs) {
				continue
			}
			w := x(pos+float64(v)) - x(pos)
			fmt.Fprintf(&b, `<rect class="segment" data-segment="%s" data-value="%d" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
				Esc(segs[k].Label), v, x(pos), y, math.Max(w, 1), barH, segs[k].Colour, Esc(fmt.Sprintf("%s, %s : %s", bar.Label, segs[k].Label, Number(v))))
			if label := Number(v); w > float64(len([]rune(label)))*charWidth+6 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="%s">%s</text>`+"\n", x(pos)+w/2, y+barH-6, textOn(segs[k].Colour), label)
			}
			pos += float64(v)
			sum += v
		}
		end := fmt.Sprintf("%s", Number(sum))
		if bar.Note != "" {
			end += " · " + bar.Note
		}
		fmt.Fprintf(&b, `<text class="total" x="%.1f" y="%d">%s</text>`+"\n", x(pos)+6, y+barH-6, Esc(end))
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// textOn is the text colour readable on a fill of the palette.
func textOn(fill string) string {
	switch fill {
	case Yellow, SkyBlue, Orange, Grey:
		return Black
	}
	return "#ffffff"
}

// Cell is one square of a strip: its label (a date), its status (Pass, Fail, Warn or
// Error) and a tooltip.
type Cell struct {
	Label  string
	Status string
	Tip    string
}

// Statuses of a strip's cells. Error is a run whose verdict is incomplete: some of its
// checks could not run.
const (
	Pass  = "PASS"
	Fail  = "FAIL"
	Warn  = "WARN"
	Error = "ERROR"
)

// Strip is a row of cells, one per run in time order, coloured and marked by status:
// the nights a check failed stand out at a glance.
type Strip struct {
	Title, Subtitle string
	Cells           []Cell
}

// statusLook is the fill and symbol of a status.
func statusLook(status string) (fill, symbol string) {
	switch status {
	case Pass:
		return Green, "✓"
	case Warn:
		return Orange, "!"
	case Error:
		return Grey, "?"
	default:
		return Vermillion, "✗"
	}
}

// SVG returns the strip as an SVG document; cells wrap to new rows.
func (c Strip) SVG() string {
	var b strings.Builder
	const cell, gap, left = 26, 4, 8
	perRow := (Width - 2*left) / (cell + gap)
	rows := max(1, (len(c.Cells)+perRow-1)/perRow)
	top := titleH + 24 + extra(c.Subtitle)
	height := top + rows*(cell+gap+18) + 34
	open(&b, "strip", c.Title, c.Subtitle, height)
	for i, cl := range c.Cells {
		x := left + (i%perRow)*(cell+gap)
		y := top + (i/perRow)*(cell+gap+18)
		fill, sym := statusLook(cl.Status)
		fmt.Fprintf(&b, `<g class="cell" data-status="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="3" fill="%s"/><text x="%d" y="%d" text-anchor="middle" fill="%s" font-weight="bold">%s</text><title>%s</title></g>`+"\n",
			cl.Status, x, y, cell, cell, fill, x+cell/2, y+cell/2+5, textOn(fill), sym, Esc(cl.Label+" : "+cl.Status+" "+cl.Tip))
		// Each row's first date, and the last one when it stands clear of it (a date
		// takes about four cells).
		if i%perRow == 0 || i == len(c.Cells)-1 && i%perRow >= 4 {
			anchor := "start"
			if i == len(c.Cells)-1 && i%perRow != 0 {
				anchor = "end"
				x += cell
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="%s" fill="#333333">%s</text>`+"\n", x, y+cell+14, anchor, Esc(cl.Label))
		}
	}
	ly := height - 12
	x := left
	legend := []struct{ status, label string }{{Pass, "toutes les vérifications passent"}, {Warn, "avertissements"}, {Fail, "au moins une vérification échoue"}}
	if slices.ContainsFunc(c.Cells, func(cl Cell) bool { return cl.Status == Error }) {
		legend = append(legend, struct{ status, label string }{Error, "incomplète : des vérifications n'ont pas pu s'exécuter"})
	}
	for _, s := range legend {
		fill, sym := statusLook(s.status)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" rx="2" fill="%s"/><text x="%d" y="%d" text-anchor="middle" font-size="10" fill="%s">%s</text><text x="%d" y="%d">%s</text>`+"\n",
			x, ly-11, fill, x+7, ly, textOn(fill), sym, x+20, ly, Esc(s.label))
		x += 20 + int(float64(len([]rune(s.label)))*charWidth) + 24
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// Event is one run on a timeline: its lane (the tool), its start and end as Unix
// seconds, its status and a tooltip.
type Event struct {
	Lane       string
	Start, End float64
	Status     string
	Tip        string
}

// Timeline draws each lane as a row and each event as a mark from its start to its end
// (at least a few units wide), coloured and marked by status; the axis is labelled
// with Labels, (position in Unix seconds, text) pairs chosen by the caller.
type Timeline struct {
	Title, Subtitle string
	Lanes           []string
	Events          []Event
	Ticks           []Tick
}

// Tick is a labelled position on a time axis, in Unix seconds.
type Tick struct {
	At    float64
	Label string
}

// SVG returns the timeline as an SVG document.
func (c Timeline) SVG() string {
	var b strings.Builder
	const laneH, left, right = 30, 120, 30
	top := titleH + 26 + extra(c.Subtitle)
	height := top + len(c.Lanes)*laneH + 60
	open(&b, "timeline", c.Title, c.Subtitle, height)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, e := range c.Events {
		lo, hi = math.Min(lo, e.Start), math.Max(hi, math.Max(e.End, e.Start))
	}
	for _, t := range c.Ticks {
		lo, hi = math.Min(lo, t.At), math.Max(hi, t.At)
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	if hi-lo < 60 {
		hi = lo + 60
	}
	plotW := float64(Width - left - right)
	x := func(v float64) float64 { return left + plotW*(v-lo)/(hi-lo) }
	lane := map[string]int{}
	for i, l := range c.Lanes {
		lane[l] = i
		y := top + i*laneH
		fill := "#f4f4f4"
		if i%2 == 1 {
			fill = "#ffffff"
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/><text x="%d" y="%d" text-anchor="end">%s</text>`+"\n",
			left, y, plotW, laneH, fill, left-8, y+laneH/2+4, Esc(l))
	}
	bottom := top + len(c.Lanes)*laneH
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%.1f" y2="%d" stroke="#333333"/>`+"\n", left, bottom, x(hi), bottom)
	for _, t := range c.Ticks {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#bbbbbb" stroke-dasharray="2 3"/><text x="%.1f" y="%d" text-anchor="middle" fill="#333333">%s</text>`+"\n",
			x(t.At), top, x(t.At), bottom+4, x(t.At), bottom+18, Esc(t.Label))
	}
	fmt.Fprintf(&b, `<text class="x-title" x="%.1f" y="%d" text-anchor="middle">date et heure de début (UTC)</text>`+"\n", left+plotW/2, bottom+38)
	for _, e := range c.Events {
		i, ok := lane[e.Lane]
		if !ok {
			continue
		}
		fill, sym := statusLook(e.Status)
		y := top + i*laneH + 5
		w := math.Max(x(e.End)-x(e.Start), 7)
		fmt.Fprintf(&b, `<g class="run" data-status="%s"><rect x="%.1f" y="%d" width="%.1f" height="%d" rx="2" fill="%s" fill-opacity="0.85" stroke="#333333" stroke-width="0.5"/>`,
			e.Status, x(e.Start)-3.5, y, w, laneH-10, fill)
		if e.Status != Pass {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="10" font-weight="bold">%s</text>`, x(e.Start), y-1, sym)
		}
		fmt.Fprintf(&b, "<title>%s</title></g>\n", Esc(e.Tip))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// Panel is one small chart of a series: its title, its points (one per x label of the
// chart), its threshold, and a status written beside the title.
type Panel struct {
	Key       string // data-ref of the panel
	Title     string
	Status    string
	Points    []int64
	Threshold int64
}

// SmallMultiples draws one small chart per panel in a grid, all on the same x axis
// (XLabels) but each with its own y scale, so that one product's large stock or deep
// deficit does not flatten the others. The threshold is dashed, zero drawn when in
// range, and the last point marked with its value.
type SmallMultiples struct {
	Title, Subtitle string
	XLabels         []string
	Panels          []Panel
	Columns         int
	Unit            string // the y axis' unit, said in the subtitle
}

// SVG returns the grid as an SVG document.
func (c SmallMultiples) SVG() string {
	var b strings.Builder
	cols := c.Columns
	if cols <= 0 {
		cols = 4
	}
	const panelH, pad = 150, 14
	panelW := (Width - pad*(cols+1)) / cols
	rows := (len(c.Panels) + cols - 1) / cols
	top := titleH + 30 + extra(c.Subtitle)
	height := top + rows*(panelH+pad) + 36
	open(&b, "multiples", c.Title, c.Subtitle, height)
	for i, p := range c.Panels {
		px := pad + (i%cols)*(panelW+pad)
		py := top + (i/cols)*(panelH+pad)
		drawPanel(&b, p, c.XLabels, px, py, panelW, panelH)
	}
	ly := height - 14
	first := "stock en fin de semaine (" + c.Unit + ")"
	x2 := pad + 30 + int(float64(len([]rune(first)))*charWidth) + 24
	x3 := x2 + 30 + 101 + 24 // "seuil d'alerte": 14 characters
	fmt.Fprintf(&b, `<g class="legend"><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/><text x="%d" y="%d">%s</text>`,
		pad, ly-4, pad+24, ly-4, Blue, pad+30, ly, Esc(first))
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2" stroke-dasharray="5 3"/><text x="%d" y="%d">seuil d'alerte</text>`,
		x2, ly-4, x2+24, ly-4, Vermillion, x2+30, ly)
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#444444">chaque graphique a sa propre échelle</text></g>`+"\n", x3, ly)
	b.WriteString("</svg>\n")
	return b.String()
}

func drawPanel(b *strings.Builder, p Panel, xs []string, px, py, w, h int) {
	const inTop, inBottom, inLeft, inRight = 34, 22, 44, 10
	fmt.Fprintf(b, `<g class="panel" data-ref="%s">`+"\n", Esc(p.Key))
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#cccccc"/>`+"\n", px, py, w, h)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-weight="bold">%s<title>%s</title></text>`+"\n", px+6, py+14, Esc(fit(p.Title, int(float64(w-12)/charWidth))), Esc(p.Title))
	statusFill := Orange
	if p.Status == rules.StockRupture {
		statusFill = Vermillion
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" fill="%s" font-weight="bold">%s</text>`+"\n", px+6, py+28, darker(statusFill), Esc(p.Status))
	lo, hi := min(0, p.Threshold), max(1, p.Threshold)
	for _, v := range p.Points {
		lo, hi = min(lo, v), max(hi, v)
	}
	step := NiceStep(float64(hi-lo), 3)
	flo := math.Floor(float64(lo)/step) * step
	fhi := math.Ceil(float64(hi)/step) * step
	if fhi == flo {
		fhi = flo + step
	}
	x0, x1 := float64(px+inLeft), float64(px+w-inRight)
	y0, y1 := float64(py+h-inBottom), float64(py+inTop)
	y := func(v float64) float64 { return y0 - (y0-y1)*(v-flo)/(fhi-flo) }
	n := len(xs)
	x := func(i int) float64 {
		if n <= 1 {
			return (x0 + x1) / 2
		}
		return x0 + (x1-x0)*float64(i)/float64(n-1)
	}
	for v := flo; v <= fhi+step/2; v += step {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e0e0e0"/><text x="%.1f" y="%.1f" text-anchor="end" font-size="10" fill="#333333">%s</text>`+"\n",
			x0, y(v), x1, y(v), x0-4, y(v)+3, Number(int64(v)))
	}
	if flo < 0 {
		fmt.Fprintf(b, `<line class="zero" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333333"/>`+"\n", x0, y(0), x1, y(0))
	}
	fmt.Fprintf(b, `<line class="seuil" data-ref="%s" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="5 3"><title>seuil %d</title></line>`+"\n",
		Esc(p.Key), x0, y(float64(p.Threshold)), x1, y(float64(p.Threshold)), Vermillion, p.Threshold)
	if n > 0 {
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="10" fill="#333333">%s</text>`+"\n", x0, py+h-6, Esc(xs[0]))
		if n > 1 {
			fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="10" text-anchor="end" fill="#333333">%s</text>`+"\n", x1, py+h-6, Esc(xs[n-1]))
		}
	}
	if len(p.Points) > 0 {
		pts := make([]string, len(p.Points))
		for i, v := range p.Points {
			pts[i] = fmt.Sprintf("%.1f,%.1f", x(i), y(float64(v)))
		}
		fmt.Fprintf(b, `<polyline class="stock" data-ref="%s" fill="none" stroke="%s" stroke-width="2" points="%s"><title>%s</title></polyline>`+"\n",
			Esc(p.Key), Blue, strings.Join(pts, " "), Esc(p.Title))
		last := len(p.Points) - 1
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/><text x="%.1f" y="%.1f" text-anchor="end" font-size="11" font-weight="bold">%s</text>`+"\n",
			x(last), y(float64(p.Points[last])), Blue, x(last)-4, y(float64(p.Points[last]))-5, Number(p.Points[last]))
	}
	b.WriteString("</g>\n")
}

// darker is a palette colour dark enough for text on a light background.
func darker(c string) string {
	switch c {
	case Orange:
		return "#9a6700"
	case Vermillion:
		return "#b34700"
	}
	return c
}
