package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"

	"dmt/pkg/mariadb"
)

const chartTitle = "Stock des produits sous le seuil d'alerte"

// series is the weekly stock of one product, one point per week of the chart.
type series struct {
	Ref    string
	Nom    string
	Seuil  int64
	Points []int64
}

// chart is what the SVG shows: the weeks on the x axis and one line per product.
type chart struct {
	At     string
	Weeks  []string
	Series []series
}

// newChart keeps the products whose stock at the date is at or below their threshold
// (SOUS_SEUIL and RUPTURE), with their weekly stock from evolution; a product without
// a stock snapshot (SANS_INVENTAIRE) has no stock to draw.
func newChart(at string, states []mariadb.StockState, evolution []mariadb.StockWeek) chart {
	c := chart{At: at}
	byRef := map[string][]int64{}
	seen := map[string]bool{}
	for _, w := range evolution {
		byRef[w.Ref] = append(byRef[w.Ref], w.Stock)
		if !seen[w.Week] {
			seen[w.Week] = true
			c.Weeks = append(c.Weeks, w.Week)
		}
	}
	for _, s := range states {
		if st := status(s); st == statusSousSeuil || st == statusRupture {
			c.Series = append(c.Series, series{Ref: s.Ref, Nom: s.Nom, Seuil: s.Seuil, Points: byRef[s.Ref]})
		}
	}
	return c
}

// Layout of the chart, in SVG user units.
const (
	chartWidth   = 960
	plotLeft     = 80
	plotRight    = 40
	plotTop      = 70
	plotHeight   = 360
	legendCols   = 4
	legendRowH   = 20
	maxXLabels   = 12
	targetYTicks = 6
)

// palette holds well-separated colours for the first lines; later ones are spread
// around the colour wheel by the golden angle.
var palette = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#5f6b6d"}

func colour(i int) string {
	if i < len(palette) {
		return palette[i]
	}
	return fmt.Sprintf("hsl(%.0f, 65%%, 42%%)", math.Mod(float64(i)*137.508, 360))
}

// writeSVG writes c as a standalone SVG document; html wraps it in a minimal page.
func writeSVG(w io.Writer, c chart, html bool) error {
	var b strings.Builder
	if html {
		fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head><meta charset=\"utf-8\"><title>%s</title></head>\n<body>\n",
			esc(chartTitle))
	} else {
		b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	}
	plotW := float64(chartWidth - plotLeft - plotRight)
	legendTop := plotTop + plotHeight + 60
	rows := (len(c.Series) + legendCols - 1) / legendCols
	height := legendTop + rows*legendRowH + 20
	empty := len(c.Series) == 0 || len(c.Weeks) == 0
	if empty {
		height = 200
	}
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, "<title>%s</title>\n", esc(chartTitle))
	fmt.Fprintf(&b, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", chartWidth, height)
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"30\" font-size=\"18\" font-weight=\"bold\">%s</text>\n", plotLeft, esc(chartTitle))
	switch {
	case len(c.Series) == 0:
		fmt.Fprintf(&b, "<text class=\"empty\" x=\"%d\" y=\"90\" font-size=\"14\">%s</text>\n", plotLeft,
			esc(fmt.Sprintf("Aucun produit sous le seuil d'alerte au %s.", c.At)))
	case len(c.Weeks) == 0:
		fmt.Fprintf(&b, "<text class=\"empty\" x=\"%d\" y=\"90\" font-size=\"14\">%s</text>\n", plotLeft,
			esc(fmt.Sprintf("%d produits sous le seuil d'alerte au %s, mais aucun mouvement de stock à tracer.", len(c.Series), c.At)))
	default:
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"50\" fill=\"#555555\">%s</text>\n", plotLeft,
			esc(fmt.Sprintf("%d produits au %s ; stock en fin de semaine ISO, seuils en pointillés", len(c.Series), c.At)))
		drawPlot(&b, c, plotW)
		drawLegend(&b, c, legendTop)
	}
	b.WriteString("</svg>\n")
	if html {
		b.WriteString("</body>\n</html>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// drawPlot draws the axes, gridlines, threshold lines and one polyline per product.
func drawPlot(b *strings.Builder, c chart, plotW float64) {
	lo, hi := int64(0), int64(1)
	for _, s := range c.Series {
		lo, hi = min(lo, s.Seuil), max(hi, s.Seuil)
		for _, p := range s.Points {
			lo, hi = min(lo, p), max(hi, p)
		}
	}
	step := niceStep(hi-lo, targetYTicks)
	lo = floorTo(lo, step)
	hi = -floorTo(-hi, step)
	if hi == lo {
		hi = lo + step
	}
	y := func(v int64) float64 {
		return plotTop + plotHeight*float64(hi-v)/float64(hi-lo)
	}
	n := len(c.Weeks)
	x := func(i int) float64 {
		if n == 1 {
			return plotLeft + plotW/2
		}
		return plotLeft + plotW*float64(i)/float64(n-1)
	}
	// y gridlines and labels
	b.WriteString("<g class=\"y-axis\" stroke=\"#dddddd\">\n")
	for v := lo; v <= hi; v += step {
		fmt.Fprintf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", plotLeft, y(v), plotLeft+plotW, y(v))
	}
	b.WriteString("</g>\n<g class=\"y-labels\" text-anchor=\"end\" fill=\"#333333\">\n")
	for v := lo; v <= hi; v += step {
		fmt.Fprintf(b, "<text x=\"%d\" y=\"%.1f\">%d</text>\n", plotLeft-8, y(v)+4, v)
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(b, "<text x=\"20\" y=\"%d\" transform=\"rotate(-90 20 %d)\" text-anchor=\"middle\">Quantité en stock</text>\n",
		plotTop+plotHeight/2, plotTop+plotHeight/2)
	// x axis: a tick per week, a label every few weeks and on the last one
	every := (n + maxXLabels - 1) / maxXLabels
	bottom := float64(plotTop + plotHeight)
	fmt.Fprintf(b, "<line class=\"x-axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
		plotLeft, bottom, plotLeft+plotW, bottom)
	if lo < 0 {
		fmt.Fprintf(b, "<line class=\"zero\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
			plotLeft, y(0), plotLeft+plotW, y(0))
	}
	b.WriteString("<g class=\"x-labels\" text-anchor=\"middle\" fill=\"#333333\">\n")
	for i, wk := range c.Weeks {
		fmt.Fprintf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n", x(i), bottom, x(i), bottom+4)
		// the last week is labelled too when it leaves room after the previous label
		if i%every == 0 || (i == n-1 && x(i)-x(i-i%every) >= 70) {
			fmt.Fprintf(b, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x(i), bottom+18, esc(wk))
		}
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">Semaine ISO</text>\n", plotLeft+plotW/2, bottom+38)
	// thresholds first, so that the stock lines are drawn over them
	for i, s := range c.Series {
		fmt.Fprintf(b, "<line class=\"seuil\" data-ref=\"%s\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"6 4\" stroke-opacity=\"0.7\"/>\n",
			esc(s.Ref), plotLeft, y(s.Seuil), plotLeft+plotW, y(s.Seuil), colour(i))
	}
	for i, s := range c.Series {
		pts := make([]string, len(s.Points))
		for j, p := range s.Points {
			pts[j] = fmt.Sprintf("%.1f,%.1f", x(j), y(p))
		}
		fmt.Fprintf(b, "<polyline class=\"stock\" data-ref=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"><title>%s</title></polyline>\n",
			esc(s.Ref), colour(i), strings.Join(pts, " "), esc(fmt.Sprintf("%s %s (seuil %d)", s.Ref, s.Nom, s.Seuil)))
		if len(s.Points) == 1 {
			fmt.Fprintf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x(0), y(s.Points[0]), colour(i))
		}
	}
}

// drawLegend writes one entry per product (colour and reference) in columns.
func drawLegend(b *strings.Builder, c chart, top int) {
	colW := (chartWidth - plotLeft - plotRight) / legendCols
	b.WriteString("<g class=\"legend\">\n")
	for i, s := range c.Series {
		lx := plotLeft + (i%legendCols)*colW
		ly := top + (i/legendCols)*legendRowH
		fmt.Fprintf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>", lx, ly, lx+24, ly, colour(i))
		fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\">%s</text>\n", lx+30, ly+4, esc(fmt.Sprintf("%s (seuil %d)", s.Ref, s.Seuil)))
	}
	b.WriteString("</g>\n")
}

// niceStep returns a step of 1, 2 or 5 times a power of ten that cuts span into about
// n intervals.
func niceStep(span int64, n int) int64 {
	if span <= 0 {
		return 1
	}
	raw := float64(span) / float64(n)
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
	return max(1, int64(f*p))
}

// floorTo rounds v down to a multiple of step.
func floorTo(v, step int64) int64 {
	q := v / step
	if v%step != 0 && v < 0 {
		q--
	}
	return q * step
}

// esc escapes s for XML text and attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
