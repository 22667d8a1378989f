package rapport

import (
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"dmt/pkg/rules"
	"dmt/pkg/store"
	"dmt/pkg/svgchart"
)

// RulesDoc is where the report links each code: the rules, one section per code.
const RulesDoc = "docs/rules.md"

// n formats a count as the report writes it (15 512).
func n(v int64) string { return svgchart.Number(v) }

func ni(v int) string { return svgchart.Number(int64(v)) }

// pct is part of whole as a French percentage with one decimal ("3,1 %").
func pct(part, whole int64) string {
	if whole == 0 {
		return "–"
	}
	return strings.Replace(fmt.Sprintf("%.1f\u00a0%%", 100*float64(part)/float64(whole)), ".", ",", 1)
}

func day(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// duration is a run's length for people: "0,4 s", "3 min 12 s", "2 h 05 min".
func duration(r store.Run) string {
	if r.Ended.IsZero() {
		return "–"
	}
	d := r.Ended.Sub(r.Started)
	switch {
	case d < time.Minute:
		return strings.Replace(fmt.Sprintf("%.1f s", d.Seconds()), ".", ",", 1)
	case d < time.Hour:
		return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
}

// statusWords says a journal status in words.
func statusWords(s string) string {
	switch s {
	case "ok":
		return "terminé"
	case "data_errors":
		return "terminé, avec rejets"
	case "failed":
		return "échoué ou interrompu"
	case "running":
		return "en cours ou arrêté net"
	}
	return s
}

// verdict is a validation status in words.
// checkCounts is a validation's counts in words; checks that could not run only when
// there were some.
func checkCounts(v *store.Validation) string {
	s := fmt.Sprintf("%d vérifications, %d en échec, %d avertissements", v.Checks, v.Failed, v.Warnings)
	if v.Errors > 0 {
		s += fmt.Sprintf(", %d n'ont pas pu s'exécuter", v.Errors)
	}
	return s
}

func verdict(s string) string {
	switch s {
	case "PASS":
		return "réussie"
	case "WARN":
		return "réussie, avec avertissements"
	case "ERROR":
		return "incomplète : des vérifications n'ont pas pu s'exécuter"
	}
	return "en échec"
}

// reason keeps the parts of a rejection's detail about code ("CODE column: why").
func reason(detail, code string) string {
	var keep []string
	for _, p := range strings.Split(detail, "; ") {
		if strings.HasPrefix(p, code) {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return detail
	}
	return strings.Join(keep, "; ")
}

// short cuts a raw line for display.
func short(s string, max int) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", "⏎")
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}

// anchor is a code's anchor in docs/rules.md, as Markdown renderers make them.
func anchor(code string) string { return strings.ToLower(code) }

// toolOrder orders the lanes of the timeline.
var toolOrder = []string{"migration", "reprise", "validate", "analyse_stock"}

// Charts are the SVG pictures of the report, drawn once for both pages.
type charts struct {
	files, codes, corrections, strip, timeline, stock string
}

func (f *Facts) charts() charts {
	var c charts
	if len(f.Files) > 0 {
		bars := svgchart.Bars{Title: "Lignes par fichier source", Unit: "lignes lues (somme des exécutions de la période)", Class: "files",
			Subtitle: "Chaque barre : lignes insérées, rejetées, ignorées et mises à jour ; à droite, le total lu et la part rejetée",
			Segments: []svgchart.Segment{{Label: "insérées", Colour: svgchart.Green}, {Label: "rejetées", Colour: svgchart.Vermillion},
				{Label: "ignorées", Colour: svgchart.SkyBlue}, {Label: "mises à jour", Colour: svgchart.Blue}}}
		for _, x := range f.Files {
			bars.Bars = append(bars.Bars, svgchart.Bar{Label: x.File + " (" + x.Tool + ")", Values: []int64{x.Inserted, x.Rejected, x.Ignored, x.Updated},
				Note: pct(x.Rejected, x.Read) + " rejetées"})
		}
		c.files = bars.SVG()
	}
	if len(f.Codes) > 0 {
		bars := svgchart.Bars{Title: "Motifs de rejet les plus fréquents", Unit: "lignes rejetées portant le code", Class: "codes",
			Subtitle: "Une ligne peut porter plusieurs codes ; migration seulement (les isolements de reprise sont plus bas)",
			Segments: []svgchart.Segment{{Label: "lignes", Colour: svgchart.Vermillion}}}
		for _, x := range f.Codes[:min(len(f.Codes), 10)] {
			bars.Bars = append(bars.Bars, svgchart.Bar{Label: x.Code, Values: []int64{x.Rows}, Note: pct(x.Rows, f.Rejected)})
		}
		c.codes = bars.SVG()
	}
	if len(f.Corrections) > 0 {
		bars := svgchart.Bars{Title: "Corrections de reprise par règle", Unit: "valeurs corrigées", Class: "corrections",
			Segments: []svgchart.Segment{{Label: "valeurs", Colour: svgchart.Blue}}}
		for _, x := range f.Corrections {
			bars.Bars = append(bars.Bars, svgchart.Bar{Label: x.Rule, Values: []int64{x.Count}})
		}
		c.corrections = bars.SVG()
	}
	if len(f.Validations) > 0 {
		strip := svgchart.Strip{Title: "Résultat de chaque validation", Subtitle: "Une case par exécution de validate, dans l'ordre du temps (UTC)"}
		for _, v := range f.Validations {
			strip.Cells = append(strip.Cells, svgchart.Cell{Label: v.Started.UTC().Format("2006-01-02"), Status: v.Status,
				Tip: fmt.Sprintf("(%s) %s", v.RunID, checkCounts(&v))})
		}
		c.strip = strip.SVG()
	}
	if len(f.Runs) > 0 {
		tl := svgchart.Timeline{Title: "Exécutions de la période", Subtitle: "Une marque par exécution ; ✗ échouée ou interrompue, ! terminée avec rejets"}
		lanes := map[string]bool{}
		for _, r := range f.Runs {
			lanes[r.Tool] = true
		}
		for _, t := range toolOrder {
			if lanes[t] {
				tl.Lanes = append(tl.Lanes, t)
				delete(lanes, t)
			}
		}
		for _, r := range f.Runs {
			if lanes[r.Tool] {
				tl.Lanes = append(tl.Lanes, r.Tool)
				delete(lanes, r.Tool)
			}
		}
		lo, hi := f.Runs[0].Started, f.Runs[0].Started
		for _, r := range f.Runs {
			end := r.Ended
			if end.IsZero() {
				end = r.Started
			}
			status := svgchart.Pass
			switch r.Status {
			case "data_errors":
				status = svgchart.Warn
			case "failed", "running":
				status = svgchart.Fail
			}
			tl.Events = append(tl.Events, svgchart.Event{Lane: r.Tool, Start: float64(r.Started.Unix()), End: float64(end.Unix()), Status: status,
				Tip: fmt.Sprintf("%s %s, %s, %s : %s", r.Tool, r.ID, day(r.Started), duration(r), statusWords(r.Status))})
			if r.Started.Before(lo) {
				lo = r.Started
			}
			if end.After(hi) {
				hi = end
			}
		}
		for i := 0; i <= 4; i++ {
			t := lo.Add(hi.Sub(lo) * time.Duration(i) / 4)
			label := t.UTC().Format("01-02 15:04")
			if hi.Sub(lo) < 2*time.Hour {
				label = t.UTC().Format("15:04:05")
			}
			tl.Ticks = append(tl.Ticks, svgchart.Tick{At: float64(t.Unix()), Label: label})
		}
		c.timeline = tl.SVG()
	}
	if f.Stock != nil {
		bars := svgchart.Bars{Title: "État du stock au " + f.Stock.At, Unit: "produits", Class: "stock",
			Segments: []svgchart.Segment{{Label: "produits", Colour: svgchart.Blue}}}
		for _, s := range rules.StockStatuses {
			bars.Bars = append(bars.Bars, svgchart.Bar{Label: s, Values: []int64{int64(f.Stock.ByStatus[s])}, Note: pct(int64(f.Stock.ByStatus[s]), int64(f.Stock.Total))})
		}
		c.stock = bars.SVG()
	}
	return c
}

// css is the page's only style: readable on screen, no element wider than the page,
// and printed on A4 with sections starting on a new page, rows and charts never cut,
// table headers repeated.
const css = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a1a;background:#fff}
main{max-width:1040px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:28px;margin:0 0 4px}
h2{font-size:21px;margin:36px 0 10px;padding-bottom:4px;border-bottom:2px solid #0072B2}
h3{font-size:16px;margin:22px 0 8px}
p,li{max-width:80ch}
.meta{color:#555;margin:0 0 16px}
.kpis{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.kpi{flex:1 1 140px;border:1px solid #ccc;border-radius:6px;padding:10px 12px;background:#f7f9fb}
.kpi .value{display:block;font-size:24px;font-weight:700}
.kpi.rejected .value{color:#b34700}
.kpi.inserted .value{color:#00795a}
.ok{color:#00795a;font-weight:700}
.bad{color:#b34700;font-weight:700}
.warn{color:#8a5a00;font-weight:700}
table{border-collapse:collapse;width:100%;max-width:100%;margin:8px 0 16px;font-size:13.5px}
th,td{border:1px solid #d0d0d0;padding:4px 7px;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#eef2f6}
td.num,th.num{text-align:right}
td.num{white-space:nowrap}
td small{color:#555}
code,.sha{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px;overflow-wrap:anywhere}
span.ok,span.bad{white-space:nowrap}
.sha{word-break:break-all}
pre{background:#f4f4f4;border:1px solid #ddd;padding:10px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12.5px}
figure{margin:12px 0 18px}
figure svg{display:block;width:100%;max-width:100%;height:auto}
figcaption{font-size:13px;color:#555}
.identity{font-size:16px;padding:8px 12px;border-left:4px solid #009E73;background:#f2faf6}
.identity.broken{border-color:#D55E00;background:#fdf3ee}
footer{margin-top:40px;font-size:12.5px;color:#666}
@media (max-width:860px){
 body{font-size:14px}
 table{font-size:11.5px}
 th,td{padding:3px 4px}
 code,.sha{font-size:11px}
}
@page{size:A4;margin:14mm}
@media print{
 body{font-size:10.5pt}
 table{font-size:8.5pt}
 th,td{padding:2px 4px}
 main{max-width:none;padding:0}
 h2{break-before:page;break-after:avoid}
 section:first-of-type h2{break-before:auto}
 h3{break-after:avoid}
 tr,figure,.kpis,.identity,pre{break-inside:avoid}
 thead{display:table-header-group}
 a{color:inherit;text-decoration:none}
}
`

// WriteHTML writes the report as one self-contained HTML page.
func (f *Facts) WriteHTML(w io.Writer) error {
	var b strings.Builder
	h := html.EscapeString
	c := f.charts()
	t := f.Totals()
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", h(f.Title), css)
	fmt.Fprintf(&b, "<header>\n<h1>%s</h1>\n<p class=\"meta\">%s</p>\n</header>\n", h(f.Title), h(f.metaLine()))

	b.WriteString("<section id=\"synthese\">\n<h2>1. Synthèse</h2>\n<div class=\"kpis\">\n")
	for _, k := range []struct{ class, label, value string }{
		{"sources", "fichiers reçus (contenus distincts)", ni(len(f.Sources))},
		{"read", "lignes lues", n(t.Read)}, {"inserted", "insérées", n(t.Inserted)},
		{"rejected", "rejetées", n(t.Rejected)}, {"ignored", "ignorées", n(t.Ignored)}, {"updated", "mises à jour", n(t.Updated)},
	} {
		fmt.Fprintf(&b, "<div class=\"kpi %s\" id=\"kpi-%s\"><span class=\"value\">%s</span>%s</div>\n", k.class, k.class, k.value, h(k.label))
	}
	b.WriteString("</div>\n")
	class, mark := "identity", "✓ vérifiée"
	if !t.Balanced() {
		class, mark = "identity broken", "✗ NON VÉRIFIÉE"
	}
	fmt.Fprintf(&b, "<p class=\"%s\" id=\"identity\">Chaque ligne lue est comptée une fois : lues = insérées + rejetées + ignorées + mises à jour, soit <strong>%s = %s + %s + %s + %s</strong> : %s (au total et pour chacun des %d fichiers).</p>\n",
		class, n(t.Read), n(t.Inserted), n(t.Rejected), n(t.Ignored), n(t.Updated), mark, len(f.Files))
	b.WriteString(f.validationSentenceHTML())
	b.WriteString("<h3>La base aujourd'hui</h3>\n<table class=\"tables\"><thead><tr><th>table</th><th class=\"num\">lignes</th></tr></thead><tbody>\n")
	for _, x := range f.Tables {
		fmt.Fprintf(&b, "<tr><td><code>%s</code></td><td class=\"num\">%s</td></tr>\n", h(x.Table), n(x.Rows))
	}
	b.WriteString("</tbody></table>\n<h3>Sources reçues</h3>\n")
	if len(f.Sources) == 0 {
		b.WriteString("<p>Aucun fichier lu en entier sur la période.</p>\n")
	} else {
		b.WriteString("<table class=\"sources\"><thead><tr><th>fichier</th><th>entité</th><th>SHA-256</th><th class=\"num\">taille</th><th>première lecture (UTC)</th><th class=\"num\">lectures</th></tr></thead><tbody>\n")
		for _, s := range f.Sources {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td class=\"sha\">%s</td><td class=\"num\">%s o</td><td>%s<br><code>%s</code></td><td class=\"num\">%d</td></tr>\n",
				h(s.File), h(s.Entity), h(s.SHA256), n(s.Size), day(s.FirstSeen), h(s.FirstRun), s.Runs)
		}
		b.WriteString("</tbody></table>\n")
	}
	b.WriteString("</section>\n")

	b.WriteString("<section id=\"fichiers\">\n<h2>2. Par fichier (par agence)</h2>\n<p>Chaque agence envoie ses propres fichiers : un fichier est une source. Les chiffres sont la somme de ce que le journal a enregistré pour le fichier, exécution par exécution ; un fichier relu par une reprise sur incident compte à nouveau.</p>\n")
	if c.files != "" {
		fmt.Fprintf(&b, "<figure>%s</figure>\n", c.files)
	}
	b.WriteString("<table class=\"files\"><thead><tr><th>fichier</th><th class=\"num\">exécutions</th><th class=\"num\">lues</th><th class=\"num\">insérées</th><th class=\"num\">rejetées</th><th class=\"num\">ignorées</th><th class=\"num\">mises à jour</th><th class=\"num\">taux de rejet</th><th>bilan</th></tr></thead><tbody>\n")
	for _, x := range f.Files {
		fmt.Fprintf(&b, "<tr><td>%s<br><small>%s · %s</small></td><td class=\"num\">%d</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td>%s</td></tr>\n",
			h(x.File), h(x.Entity), h(x.Tool), x.Runs, n(x.Read), n(x.Inserted), n(x.Rejected), n(x.Ignored), n(x.Updated), pct(x.Rejected, x.Read), balanceHTML(x.Counts))
	}
	fmt.Fprintf(&b, "<tr class=\"total\"><th>total</th><th></th><th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th>%s</th></tr>\n",
		n(t.Read), n(t.Inserted), n(t.Rejected), n(t.Ignored), n(t.Updated), pct(t.Rejected, t.Read), balanceHTML(t))
	b.WriteString("</tbody></table>\n</section>\n")

	fmt.Fprintf(&b, "<section id=\"rejets\">\n<h2>3. Ce qui a été refusé, et pourquoi</h2>\n<p>%s lignes rejetées par migration sur la période, gardées avec leur texte d'origine (fichiers <code>rejets/</code> et table <code>rejections</code>). Chaque code renvoie à sa règle dans <code>%s</code>.</p>\n", n(f.Rejected), RulesDoc)
	if c.codes != "" {
		fmt.Fprintf(&b, "<figure>%s</figure>\n", c.codes)
	}
	if len(f.Codes) > 0 {
		b.WriteString("<table class=\"codes\"><thead><tr><th>code</th><th class=\"num\">lignes</th><th>exemples réels : fichier:ligne, valeur reçue, motif</th></tr></thead><tbody>\n")
		for _, x := range f.Codes {
			fmt.Fprintf(&b, "<tr><td><a href=\"%s#%s\"><code>%s</code></a></td><td class=\"num\">%s</td><td>", RulesDoc, anchor(x.Code), h(x.Code), n(x.Rows))
			for _, e := range x.Examples {
				fmt.Fprintf(&b, "<div><code>%s:%d</code> <code>%s</code><br>%s</div>", h(e.File), e.Line, h(short(e.Raw, 110)), h(reason(e.Detail, x.Code)))
			}
			b.WriteString("</td></tr>\n")
		}
		b.WriteString("</tbody></table>\n")
	}
	b.WriteString("</section>\n")

	fmt.Fprintf(&b, "<section id=\"reparations\">\n<h2>4. Réparations</h2>\n<p>reprise corrige ce qui n'a qu'une lecture possible, n'invente rien, et isole le reste en quarantaine. %s valeurs corrigées ; %s lignes isolées sur la période.</p>\n", n(f.Corrected), n(f.IsolatedRows))
	if c.corrections != "" {
		fmt.Fprintf(&b, "<figure>%s</figure>\n", c.corrections)
		b.WriteString("<table class=\"corrections\"><thead><tr><th>règle</th><th class=\"num\">valeurs</th><th>exemples : avant → après</th></tr></thead><tbody>\n")
		for _, x := range f.Corrections {
			fmt.Fprintf(&b, "<tr><td><code>%s</code></td><td class=\"num\">%s</td><td>", h(x.Rule), n(x.Count))
			for _, e := range x.Examples {
				fmt.Fprintf(&b, "<div><code>%s:%d</code> %s : <code>%s</code> → <code>%s</code></div>", h(e.File), e.Line, h(e.Field), h(e.Before), h(e.After))
			}
			b.WriteString("</td></tr>\n")
		}
		b.WriteString("</tbody></table>\n")
	}
	if len(f.Isolated) > 0 {
		b.WriteString("<h3>Lignes isolées, et pourquoi</h3>\n<table class=\"isolated\"><thead><tr><th>code</th><th class=\"num\">lignes</th><th>exemples</th></tr></thead><tbody>\n")
		for _, x := range f.Isolated {
			fmt.Fprintf(&b, "<tr><td><a href=\"%s#%s\"><code>%s</code></a></td><td class=\"num\">%s</td><td>", RulesDoc, anchor(x.Code), h(x.Code), n(x.Rows))
			for _, e := range x.Examples {
				fmt.Fprintf(&b, "<div><code>%s:%d</code> %s</div>", h(e.File), e.Line, h(reason(e.Detail, x.Code)))
			}
			b.WriteString("</td></tr>\n")
		}
		b.WriteString("</tbody></table>\n")
	}
	b.WriteString("<h3>Encore en quarantaine</h3>\n")
	if len(f.Quarantine) == 0 {
		b.WriteString("<p>Aucune reprise terminée : pas de quarantaine.</p>\n")
	} else {
		b.WriteString("<table class=\"quarantine\"><thead><tr><th>entité</th><th class=\"num\">lignes</th><th>écrite par</th></tr></thead><tbody>\n")
		for _, q := range f.Quarantine {
			fmt.Fprintf(&b, "<tr><td>%s</td><td class=\"num\">%s</td><td><code>%s</code> (%s UTC) : <code>quarantaine_%s.csv</code></td></tr>\n", h(q.Entity), n(q.Rows), h(q.RunID), day(q.When), h(q.Entity))
		}
		b.WriteString("</tbody></table>\n<p>Le fichier de quarantaine est celui de la dernière reprise de l'entité : à corriger à la main puis à redonner à reprise.</p>\n")
	}
	b.WriteString("</section>\n")

	b.WriteString("<section id=\"validation\">\n<h2>5. La validation dans le temps</h2>\n")
	if c.strip != "" {
		fmt.Fprintf(&b, "<figure>%s</figure>\n", c.strip)
	} else {
		b.WriteString("<p>Aucune exécution de validate sur la période.</p>\n")
	}
	if len(f.FailedChecks) > 0 {
		b.WriteString("<h3>Vérifications qui ont échoué</h3>\n<table class=\"failed-checks\"><thead><tr><th>vérification</th><th>règle</th><th>premier échec</th><th>dernier échec</th><th class=\"num\">exécutions en échec</th><th>corrigée</th></tr></thead><tbody>\n")
		for _, x := range f.FailedChecks {
			fixed := "<span class=\"bad\">non, échoue encore</span>"
			if x.FixedBy != "" {
				fixed = fmt.Sprintf("<span class=\"ok\">oui</span>, le %s (<code>%s</code>)", day(x.Fixed), h(x.FixedBy))
			}
			fmt.Fprintf(&b, "<tr><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s (%s lignes)</td><td class=\"num\">%d</td><td>%s</td></tr>\n",
				h(x.Name), h(x.Rule), day(x.FirstFailed), day(x.LastFailed), n(x.LastCount), x.FailedRuns, fixed)
		}
		b.WriteString("</tbody></table>\n")
	} else if len(f.Validations) > 0 {
		b.WriteString("<p>Aucune vérification n'a échoué sur la période (ou leurs résultats n'ont pas été enregistrés).</p>\n")
	}
	b.WriteString("</section>\n")

	b.WriteString("<section id=\"executions\">\n<h2>6. Les exécutions</h2>\n")
	if c.timeline != "" {
		fmt.Fprintf(&b, "<figure>%s</figure>\n", c.timeline)
	}
	if len(f.Interrupted) > 0 {
		b.WriteString("<h3>Exécutions interrompues, et qui les a terminées</h3>\n<table class=\"interrupted\"><thead><tr><th>exécution</th><th>début (UTC)</th><th>fichiers laissés inachevés</th><th>terminée par</th></tr></thead><tbody>\n")
		for _, in := range f.Interrupted {
			by := "<span class=\"bad\">pas encore : relancer la même commande</span>"
			if in.FinishedBy != "" {
				by = fmt.Sprintf("<code>%s</code> (%s UTC)", h(in.FinishedBy), day(in.FinishedAt))
			}
			files := "aucun (arrêt entre deux fichiers)"
			if len(in.Unfinished) > 0 {
				files = h(strings.Join(in.Unfinished, ", "))
			}
			fmt.Fprintf(&b, "<tr><td>%s <code>%s</code><br>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", h(in.Run.Tool), h(in.Run.ID), h(short(in.Run.Message, 160)), day(in.Run.Started), files, by)
		}
		b.WriteString("</tbody></table>\n")
	}
	b.WriteString("<table class=\"runs\"><thead><tr><th>outil</th><th>exécution</th><th>début (UTC)</th><th class=\"num\">durée</th><th>état</th><th class=\"num\">lues</th><th class=\"num\">insérées</th><th class=\"num\">rejetées</th><th class=\"num\">ignorées</th><th class=\"num\">mises à jour</th></tr></thead><tbody>\n")
	for _, r := range f.Runs {
		fmt.Fprintf(&b, "<tr><td>%s</td><td><code>%s</code></td><td>%s</td><td class=\"num\">%s</td><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n",
			h(r.Tool), h(r.ID), day(r.Started), duration(r), h(statusWords(r.Status)), n(r.Read), n(r.Inserted), n(r.Rejected), n(r.Ignored), n(r.Updated))
	}
	b.WriteString("</tbody></table>\n</section>\n")

	if f.Stock != nil {
		b.WriteString("<section id=\"stock\">\n<h2>7. Le stock</h2>\n")
		fmt.Fprintf(&b, "<figure>%s</figure>\n", c.stock)
		if len(f.Stock.Products) > 0 {
			b.WriteString("<h3>Produits au seuil ou en dessous, les plus urgents d'abord</h3>\n<table class=\"products\"><thead><tr><th>produit</th><th>nom</th><th class=\"num\">stock</th><th class=\"num\">seuil</th><th>état</th></tr></thead><tbody>\n")
			for _, p := range urgentFirst(f.Stock.Products) {
				fmt.Fprintf(&b, "<tr><td><code>%s</code></td><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td>%s</td></tr>\n", h(p.Ref), h(p.Nom), n(p.Actuel), n(p.Seuil), h(p.Status))
			}
			b.WriteString("</tbody></table>\n")
		}
		b.WriteString("</section>\n")
	}

	b.WriteString("<section id=\"tracabilite\">\n<h2>Traçabilité : d'une ligne à son fichier</h2>\n")
	if tr := f.Trace; tr != nil {
		fmt.Fprintf(&b, "<p>Toute ligne de la base nomme l'exécution qui l'a écrite, le fichier et la ligne lus (et, pour une ligne réinjectée, le premier fichier et la première ligne d'où elle vient). Par exemple, pour <code>%s.%s = %s</code> :</p>\n<pre>%s</pre>\n",
			h(tr.Table), h(tr.KeyColumn), h(tr.Key), h(f.traceQuery()))
		b.WriteString("<table class=\"trace\"><tbody>\n")
		for _, kv := range f.traceRows() {
			fmt.Fprintf(&b, "<tr><th>%s</th><td><code>%s</code></td></tr>\n", h(kv[0]), h(kv[1]))
		}
		b.WriteString("</tbody></table>\n")
	} else {
		b.WriteString("<p>La base ne contient encore aucune ligne chargée par le toolkit.</p>\n")
	}
	b.WriteString("</section>\n")
	fmt.Fprintf(&b, "<footer>Rapport produit par <code>rapport</code> (exécution <code>%s</code>) à partir de la base seule : journal, rejets, corrections, résultats de validation. Aucune ressource externe, aucun script.</footer>\n</main>\n</body>\n</html>\n", h(f.RunID))
	_, err := io.WriteString(w, b.String())
	return err
}

func balanceHTML(c store.Counts) string {
	if c.Balanced() {
		return "<span class=\"ok\" title=\"lues = insérées + rejetées + ignorées + mises à jour\">✓</span>"
	}
	return "<span class=\"bad\">✗ déséquilibré</span>"
}

func (f *Facts) metaLine() string {
	period := "tout le journal"
	if f.Since != "" {
		period = "depuis le " + f.Since
	}
	return fmt.Sprintf("Domaine %s · base %s · période : %s · produit le %s UTC · exécution %s", f.Domain, f.Database, period, day(f.Generated), f.RunID)
}

func (f *Facts) validationSentence() (text, class string) {
	v := f.LastValidation()
	if v == nil {
		return "Aucune validation sur la période : lancer validate.", "warn"
	}
	class = "ok"
	switch v.Status {
	case "FAIL", "ERROR":
		class = "bad"
	case "WARN":
		class = "warn"
	}
	detail := checkCounts(v)
	if !v.Stored {
		detail = v.Message + " ; résultats détaillés non enregistrés dans la base"
	}
	return fmt.Sprintf("Dernière validation : %s (%s) le %s UTC, exécution %s : %s.", v.Status, verdict(v.Status), day(v.Started), v.RunID, detail), class
}

func (f *Facts) validationSentenceHTML() string {
	text, class := f.validationSentence()
	return fmt.Sprintf("<p id=\"last-validation\" class=\"%s\">%s</p>\n", class, html.EscapeString(text))
}

func (f *Facts) traceQuery() string {
	tr := f.Trace
	return strings.Replace(tr.Query, "?", sqlLiteral(tr.Key), 1) + ";"
}

// sqlLiteral quotes a key for display in the shown query.
func sqlLiteral(s string) string {
	for _, r := range s {
		if r < '0' || r > '9' {
			return "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
	}
	if s == "" {
		return "''"
	}
	return s
}

func (f *Facts) traceRows() [][2]string {
	tr := f.Trace
	origin := "NULL (lue dans son premier fichier)"
	if tr.OriginFile != "" {
		origin = fmt.Sprintf("%s, ligne %d", tr.OriginFile, tr.OriginLine)
	}
	sha := tr.SHA256
	if sha == "" {
		sha = "NULL (fichier non lu en entier par cette exécution)"
	}
	return [][2]string{
		{tr.KeyColumn, tr.Key}, {"run_id", tr.RunID}, {"source_file, source_line", fmt.Sprintf("%s, ligne %d", tr.SourceFile, tr.SourceLine)},
		{"origin_file, origin_line", origin}, {"tool, started_at", tr.Tool + ", " + day(tr.Started) + " UTC"}, {"sha256", sha},
	}
}
