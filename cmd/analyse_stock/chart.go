package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"dmt/pkg/mariadb"
	"dmt/pkg/rapport"
	"dmt/pkg/rules"
	"dmt/pkg/svgchart"
)

const chartTitle = "Stock des produits sous le seuil d'alerte"

// Which products the chart shows, and how many at most.
const (
	// nearFactor: a product whose stock is at most this times its threshold is drawn
	// as near it (PROCHE_SEUIL), though still OK.
	nearFactor = 1.25
	// maxPanels is a screenful of small charts (3 rows of 4); the others are counted.
	maxPanels = 12
	// statusNear names an OK product near its threshold on the chart only.
	statusNear = "PROCHE_SEUIL"
)

// series is the weekly stock of one product, one point per week of the chart.
type series struct {
	Ref    string
	Nom    string
	Status string
	Seuil  int64
	Actuel int64
	Points []int64
}

// chart is what the page shows: the weeks of the x axis, the products under or near
// their threshold, most urgent first, and how many of them the chart leaves out.
type chart struct {
	At     string
	Weeks  []string
	Series []series // every product under or near its threshold, most urgent first
}

// newChart keeps the products whose stock at the date is at or below their threshold
// (SOUS_SEUIL and RUPTURE) or near it (OK, but at most nearFactor times it), with
// their weekly stock from evolution, sorted by urgency: furthest below the threshold,
// relative to it, first. A product without a stock snapshot (SANS_INVENTAIRE) has no
// stock to draw.
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
		st := status(s)
		if st == rules.StockOK && s.Seuil > 0 && float64(s.Actuel) <= nearFactor*float64(s.Seuil) {
			st = statusNear
		}
		if st == rules.StockSousSeuil || st == rules.StockRupture || st == statusNear {
			c.Series = append(c.Series, series{Ref: s.Ref, Nom: s.Nom, Status: st, Seuil: s.Seuil, Actuel: s.Actuel, Points: byRef[s.Ref]})
		}
	}
	sort.SliceStable(c.Series, func(i, j int) bool {
		return rapport.Urgency(c.Series[i].Actuel, c.Series[i].Seuil) < rapport.Urgency(c.Series[j].Actuel, c.Series[j].Seuil)
	})
	return c
}

// under counts the products at or under their threshold (not those only near it).
func (c chart) under() int {
	n := 0
	for _, s := range c.Series {
		if s.Status != statusNear {
			n++
		}
	}
	return n
}

// svg draws the first maxPanels products as small multiples: one small chart each,
// all on the same weeks but each on its own scale, so a deep deficit or a large stock
// does not flatten the others; the threshold dashed, the last week's stock written.
func (c chart) svg() string {
	if len(c.Series) == 0 || len(c.Weeks) == 0 {
		var b strings.Builder
		msg := fmt.Sprintf("Aucun produit sous le seuil d'alerte au %s.", c.At)
		if len(c.Series) > 0 {
			msg = fmt.Sprintf("%d produits sous le seuil d'alerte au %s, mais aucun mouvement de stock à tracer.", len(c.Series), c.At)
		}
		fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart empty" role="img" aria-label="%s" width="%d" height="120" viewBox="0 0 %d 120" font-family="sans-serif" font-size="12">`+"\n",
			svgchart.Esc(chartTitle), svgchart.Width, svgchart.Width)
		fmt.Fprintf(&b, "<title>%s</title>\n<rect width=\"%d\" height=\"120\" fill=\"#ffffff\"/>\n", svgchart.Esc(chartTitle), svgchart.Width)
		fmt.Fprintf(&b, "<text x=\"8\" y=\"20\" font-size=\"16\" font-weight=\"bold\">%s</text>\n", svgchart.Esc(chartTitle))
		fmt.Fprintf(&b, "<text class=\"empty\" x=\"8\" y=\"60\" font-size=\"14\">%s</text>\n</svg>\n", svgchart.Esc(msg))
		return b.String()
	}
	shown := c.Series[:min(len(c.Series), maxPanels)]
	sub := fmt.Sprintf("Au %s : %d produits au seuil ou en dessous, %d proches (stock ≤ %.0f %% du seuil) ; les plus urgents d'abord",
		c.At, c.under(), len(c.Series)-c.under(), nearFactor*100)
	if rest := len(c.Series) - len(shown); rest > 0 {
		sub += fmt.Sprintf(" ; %d de plus non tracés (voir le tableau ou etat_stock_par_produit.csv)", rest)
	}
	m := svgchart.SmallMultiples{Title: chartTitle, Subtitle: sub, XLabels: c.Weeks, Columns: 4, Unit: "unités, semaine ISO"}
	for _, s := range shown {
		m.Panels = append(m.Panels, svgchart.Panel{Key: s.Ref, Title: fmt.Sprintf("%s %s (seuil %d)", s.Ref, s.Nom, s.Seuil),
			Status: s.Status, Points: s.Points, Threshold: s.Seuil})
	}
	return m.SVG()
}

// pageCSS lays the chart and its table side by side on a wide screen, one under the
// other on a narrow one or on paper. A table cell's class is its product's status.
const pageCSS = `body{margin:0;font:14px/1.4 system-ui,"DejaVu Sans",sans-serif;color:#1a1a1a}
main{display:flex;flex-wrap:wrap;gap:20px;padding:16px;align-items:flex-start}
.chart-box{flex:3 1 560px;min-width:0}
.chart-box svg{display:block;width:100%;max-width:100%;height:auto}
.table-box{flex:1 1 440px;min-width:0}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid #d0d0d0;padding:3px 6px;text-align:left;overflow-wrap:break-word}
td.ref,td.` + rules.StockRupture + `,td.` + rules.StockSousSeuil + `,td.` + statusNear + `{white-space:nowrap}
caption{text-align:left;font-weight:700;margin-bottom:4px}
td.num,th.num{text-align:right;white-space:nowrap}
th{background:#eef2f6}
.` + rules.StockRupture + `{color:#b34700;font-weight:700}
.` + rules.StockSousSeuil + `{color:#8a5a00;font-weight:700}
@media print{main{display:block}tr{break-inside:avoid}thead{display:table-header-group}}`

// writeSVG writes c as a standalone SVG document or, for html, as a page with the
// chart and, beside it, the table of every product under or near its threshold.
func writeSVG(w io.Writer, c chart, html bool) error {
	if !html {
		_, err := io.WriteString(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"+c.svg())
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%s</title><style>%s</style></head>\n<body>\n<main>\n",
		svgchart.Esc(chartTitle), pageCSS)
	fmt.Fprintf(&b, "<div class=\"chart-box\">\n%s</div>\n", c.svg())
	if len(c.Series) > 0 {
		fmt.Fprintf(&b, "<div class=\"table-box\">\n<table>\n<caption>Produits au %s, les plus urgents d'abord</caption>\n<thead><tr><th>produit</th><th>nom</th><th class=\"num\">stock</th><th class=\"num\">seuil</th><th>statut</th></tr></thead>\n<tbody>\n", svgchart.Esc(c.At))
		for _, s := range c.Series {
			fmt.Fprintf(&b, "<tr data-ref=\"%s\"><td class=\"ref\">%s</td><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"%s\">%s</td></tr>\n",
				svgchart.Esc(s.Ref), svgchart.Esc(s.Ref), svgchart.Esc(s.Nom), svgchart.Number(s.Actuel), svgchart.Number(s.Seuil), s.Status, s.Status)
		}
		b.WriteString("</tbody>\n</table>\n</div>\n")
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
