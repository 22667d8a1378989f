package rapport

import (
	"fmt"
	"io"
	"strings"

	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// cell makes s safe in a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// codeSpan wraps s in backticks, long enough for the backticks it holds.
func codeSpan(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func row(b *strings.Builder, cells ...string) {
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

// header writes a table header; a column named with a leading '>' is right-aligned.
func header(b *strings.Builder, cols ...string) {
	names := make([]string, len(cols))
	rules := make([]string, len(cols))
	for i, c := range cols {
		names[i], rules[i] = strings.TrimPrefix(c, ">"), "---"
		if strings.HasPrefix(c, ">") {
			rules[i] = "---:"
		}
	}
	row(b, names...)
	row(b, rules...)
}

func balanceText(c store.Counts) string {
	if c.Balanced() {
		return "✓ équilibré"
	}
	return "✗ déséquilibré"
}

// WriteMarkdown writes the same facts as the HTML page, as Markdown text.
func (f *Facts) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	t := f.Totals()
	fmt.Fprintf(&b, "# %s\n\n%s\n\n## 1. Synthèse\n\n", f.Title, f.metaLine())
	fmt.Fprintf(&b, "- Fichiers reçus (contenus distincts) : %s\n- Lignes lues : %s\n- Insérées : %s\n- Rejetées : %s\n- Ignorées : %s\n- Mises à jour : %s\n\n",
		ni(len(f.Sources)), n(t.Read), n(t.Inserted), n(t.Rejected), n(t.Ignored), n(t.Updated))
	mark := "✓ vérifiée"
	if !t.Balanced() {
		mark = "✗ NON VÉRIFIÉE"
	}
	fmt.Fprintf(&b, "Chaque ligne lue est comptée une fois : lues = insérées + rejetées + ignorées + mises à jour, soit **%s = %s + %s + %s + %s** : %s (au total et pour chacun des %d fichiers).\n\n",
		n(t.Read), n(t.Inserted), n(t.Rejected), n(t.Ignored), n(t.Updated), mark, len(f.Files))
	text, _ := f.validationSentence()
	b.WriteString(text + "\n\n### La base aujourd'hui\n\n")
	header(&b, "table", ">lignes")
	for _, x := range f.Tables {
		row(&b, codeSpan(x.Table), n(x.Rows))
	}
	b.WriteString("\n### Sources reçues\n\n")
	if len(f.Sources) == 0 {
		b.WriteString("Aucun fichier lu en entier sur la période.\n")
	} else {
		header(&b, "fichier", "entité", "SHA-256", ">taille", "première lecture (UTC)", ">lectures")
		for _, s := range f.Sources {
			row(&b, cell(s.File), cell(s.Entity), codeSpan(s.SHA256), n(s.Size)+" o", day(s.FirstSeen)+" ("+codeSpan(s.FirstRun)+")", ni(s.Runs))
		}
	}

	b.WriteString("\n## 2. Par fichier (par agence)\n\nChaque agence envoie ses propres fichiers : un fichier est une source. Les chiffres sont la somme de ce que le journal a enregistré pour le fichier, exécution par exécution ; un fichier relu compte à nouveau.\n\n")
	header(&b, "fichier", "outil", "entité", ">exécutions", ">lues", ">insérées", ">rejetées", ">ignorées", ">mises à jour", ">taux de rejet", "bilan")
	for _, x := range f.Files {
		row(&b, cell(x.File), x.Tool, x.Entity, ni(x.Runs), n(x.Read), n(x.Inserted), n(x.Rejected), n(x.Ignored), n(x.Updated), pct(x.Rejected, x.Read), balanceText(x.Counts))
	}
	row(&b, "**total**", "", "", "", n(t.Read), n(t.Inserted), n(t.Rejected), n(t.Ignored), n(t.Updated), pct(t.Rejected, t.Read), balanceText(t))

	fmt.Fprintf(&b, "\n## 3. Ce qui a été refusé, et pourquoi\n\n%s lignes rejetées par migration sur la période. Chaque code renvoie à sa règle dans `%s`.\n\n", n(f.Rejected), RulesDoc)
	if len(f.Codes) > 0 {
		header(&b, "code", ">lignes", "exemples réels : fichier:ligne, valeur reçue, motif")
		for _, x := range f.Codes {
			var ex []string
			for _, e := range x.Examples {
				ex = append(ex, codeSpan(fmt.Sprintf("%s:%d", e.File, e.Line))+" "+codeSpan(short(e.Raw, 110))+" : "+cell(reason(e.Detail, x.Code)))
			}
			row(&b, fmt.Sprintf("[%s](%s#%s)", x.Code, RulesDoc, anchor(x.Code)), n(x.Rows), cell(strings.Join(ex, " ; ")))
		}
	}

	fmt.Fprintf(&b, "\n## 4. Réparations\n\n%s valeurs corrigées ; %s lignes isolées sur la période.\n\n", n(f.Corrected), n(f.IsolatedRows))
	if len(f.Corrections) > 0 {
		header(&b, "règle", ">valeurs", "exemples : avant → après")
		for _, x := range f.Corrections {
			var ex []string
			for _, e := range x.Examples {
				ex = append(ex, fmt.Sprintf("%s %s : %s → %s", codeSpan(fmt.Sprintf("%s:%d", e.File, e.Line)), e.Field, codeSpan(e.Before), codeSpan(e.After)))
			}
			row(&b, codeSpan(x.Rule), n(x.Count), cell(strings.Join(ex, " ; ")))
		}
		b.WriteString("\n")
	}
	if len(f.Isolated) > 0 {
		b.WriteString("### Lignes isolées, et pourquoi\n\n")
		header(&b, "code", ">lignes", "exemples")
		for _, x := range f.Isolated {
			var ex []string
			for _, e := range x.Examples {
				ex = append(ex, codeSpan(fmt.Sprintf("%s:%d", e.File, e.Line))+" "+cell(reason(e.Detail, x.Code)))
			}
			row(&b, fmt.Sprintf("[%s](%s#%s)", x.Code, RulesDoc, anchor(x.Code)), n(x.Rows), cell(strings.Join(ex, " ; ")))
		}
		b.WriteString("\n")
	}
	b.WriteString("### Encore en quarantaine\n\n")
	if len(f.Quarantine) == 0 {
		b.WriteString("Aucune reprise terminée : pas de quarantaine.\n")
	} else {
		header(&b, "entité", ">lignes", "écrite par")
		for _, q := range f.Quarantine {
			row(&b, q.Entity, n(q.Rows), codeSpan(q.RunID)+" ("+day(q.When)+" UTC) : "+codeSpan("quarantaine_"+q.Entity+".csv"))
		}
	}

	b.WriteString("\n## 5. La validation dans le temps\n\n")
	if len(f.Validations) == 0 {
		b.WriteString("Aucune exécution de validate sur la période.\n")
	} else {
		header(&b, "date (UTC)", "exécution", "résultat", ">vérifications", ">en échec", ">avertissements")
		for _, v := range f.Validations {
			checks, failed, warns := ni(v.Checks), ni(v.Failed), ni(v.Warnings)
			if !v.Stored {
				checks, failed, warns = "non enregistré", "–", "–"
			}
			result := v.Status + " (" + verdict(v.Status) + ")"
			if v.Errors > 0 {
				result = fmt.Sprintf("%s (incomplète : %d vérifications n'ont pas pu s'exécuter)", v.Status, v.Errors)
			}
			row(&b, day(v.Started), codeSpan(v.RunID), result, checks, failed, warns)
		}
	}
	if len(f.FailedChecks) > 0 {
		b.WriteString("\n### Vérifications qui ont échoué\n\n")
		header(&b, "vérification", "règle", "premier échec", "dernier échec", ">exécutions en échec", "corrigée")
		for _, x := range f.FailedChecks {
			fixed := "non, échoue encore"
			if x.FixedBy != "" {
				fixed = "oui, le " + day(x.Fixed) + " (" + codeSpan(x.FixedBy) + ")"
			}
			row(&b, codeSpan(x.Name), cell(x.Rule), day(x.FirstFailed), day(x.LastFailed)+" ("+n(x.LastCount)+" lignes)", ni(x.FailedRuns), fixed)
		}
	}

	b.WriteString("\n## 6. Les exécutions\n\n")
	if len(f.Interrupted) > 0 {
		b.WriteString("### Exécutions interrompues, et qui les a terminées\n\n")
		header(&b, "exécution", "début (UTC)", "fichiers laissés inachevés", "terminée par")
		for _, in := range f.Interrupted {
			by := "pas encore : relancer la même commande"
			if in.FinishedBy != "" {
				by = codeSpan(in.FinishedBy) + " (" + day(in.FinishedAt) + " UTC)"
			}
			files := "aucun (arrêt entre deux fichiers)"
			if len(in.Unfinished) > 0 {
				files = cell(strings.Join(in.Unfinished, ", "))
			}
			row(&b, in.Run.Tool+" "+codeSpan(in.Run.ID)+" : "+cell(short(in.Run.Message, 160)), day(in.Run.Started), files, by)
		}
		b.WriteString("\n")
	}
	header(&b, "outil", "exécution", "début (UTC)", ">durée", "état", ">lues", ">insérées", ">rejetées", ">ignorées", ">mises à jour")
	for _, r := range f.Runs {
		row(&b, r.Tool, codeSpan(r.ID), day(r.Started), duration(r), statusWords(r.Status), n(r.Read), n(r.Inserted), n(r.Rejected), n(r.Ignored), n(r.Updated))
	}

	if f.Stock != nil {
		fmt.Fprintf(&b, "\n## 7. Le stock au %s\n\n", f.Stock.At)
		header(&b, "état", ">produits")
		for _, s := range rules.StockStatuses {
			row(&b, s, ni(f.Stock.ByStatus[s]))
		}
		if len(f.Stock.Products) > 0 {
			b.WriteString("\n### Produits au seuil ou en dessous, les plus urgents d'abord\n\n")
			header(&b, "produit", "nom", ">stock", ">seuil", "état")
			for _, p := range urgentFirst(f.Stock.Products) {
				row(&b, codeSpan(p.Ref), cell(p.Nom), n(p.Actuel), n(p.Seuil), p.Status)
			}
		}
	}

	b.WriteString("\n## Traçabilité : d'une ligne à son fichier\n\n")
	if tr := f.Trace; tr != nil {
		fmt.Fprintf(&b, "Toute ligne de la base nomme l'exécution qui l'a écrite, le fichier et la ligne lus. Par exemple, pour `%s.%s = %s` :\n\n```sql\n%s\n```\n\n", tr.Table, tr.KeyColumn, tr.Key, f.traceQuery())
		header(&b, "colonne", "valeur")
		for _, kv := range f.traceRows() {
			row(&b, kv[0], cell(kv[1]))
		}
	} else {
		b.WriteString("La base ne contient encore aucune ligne chargée par le toolkit.\n")
	}
	fmt.Fprintf(&b, "\n---\nRapport produit par `rapport` (exécution `%s`) à partir de la base seule.\n", f.RunID)
	_, err := io.WriteString(w, b.String())
	return err
}
