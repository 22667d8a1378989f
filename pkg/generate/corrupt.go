package generate

import (
	"fmt"
	"strconv"
	"strings"

	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// What reprise must do with a row of projets_corrompus.csv.
const (
	ExpectCorrected = "corrected" // repairable without guessing: re-injected with Expected in Column
	ExpectIsolated  = "isolated"  // not repairable: quarantined with Code
	ExpectIgnored   = "ignored"   // identical to a project of projets.csv: nothing to do once it is loaded
)

// CorruptManifestRow is a line of projets_corrompus_manifest.csv: what reprise must do
// with the row at Line of projets_corrompus.csv (project IDProjet), whose Column was
// given the text Raw, a defect of Code. Expect is ExpectCorrected (then Expected is the
// value the repair must give), ExpectIsolated or ExpectIgnored.
type CorruptManifestRow struct {
	Line     int        `csv:"line"`
	IDProjet int        `csv:"id_projet"`
	Column   string     `csv:"column"`
	Code     rules.Code `csv:"code"`
	Expect   string     `csv:"expect"`
	Raw      string     `csv:"raw"`
	Expected string     `csv:"expected"`
}

var frenchMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// corruption damages one column of a valid project row; ok is false when it does not fit.
type corruption struct {
	column string
	code   rules.Code
	expect string
	apply  func(p project, row []string) (raw string, ok bool)
}

func (g *gen) corruptions() []corruption {
	date := func(f func(d model.Date) string) func(p project, row []string) (string, bool) {
		return func(p project, row []string) (string, bool) { return f(p.debut), true }
	}
	statut := func(spellings map[string][]string) func(p project, row []string) (string, bool) {
		return func(p project, row []string) (string, bool) {
			s := spellings[p.statut]
			if len(s) == 0 {
				return "", false
			}
			return s[g.rnd.IntN(len(s))], true
		}
	}
	return []corruption{
		{"date_debut", rules.BadDate, ExpectCorrected, func(p project, row []string) (string, bool) {
			d := p.debut
			return fmt.Sprintf("%02d/%02d/%04d", int(d.Month), d.Day, d.Year), d.Day > 12 // month first: only when the day tells
		}},
		{"date_debut", rules.BadDate, ExpectCorrected, date(func(d model.Date) string { return fmt.Sprintf("%04d.%02d.%02d", d.Year, int(d.Month), d.Day) })},
		{"date_debut", rules.BadDate, ExpectCorrected, date(func(d model.Date) string { return fmt.Sprintf("%d %s %d", d.Day, frenchMonths[d.Month-1], d.Year) })},
		{"date_debut", rules.BadDate, ExpectCorrected, date(func(d model.Date) string { return fmt.Sprintf("%02d-%s-%d", d.Day, frenchMonths[d.Month-1], d.Year) })},
		{"statut", rules.BadEnum, ExpectCorrected, statut(map[string][]string{
			"termine": {"fini", "terminée", "clos", "Termné", "termine."}, "planifie": {"prévu", "planifé", "Planfié"},
			"en_cours": {"en cour", "encours", "En cors"}, "annule": {"annulée", "anulé", "abandonné"}})},
		{"type_prestation", rules.BadEnum, ExpectCorrected, func(p project, row []string) (string, bool) {
			return map[string]string{"audit": "Audti", "deploiement": "déploiment", "formation": "formaton", "assistance": "asistance"}[p.typ], true
		}},
		{"budget", rules.BadDecimal, ExpectCorrected, func(p project, row []string) (string, bool) {
			if p.budget == "" {
				return "", false
			}
			forms := []string{strings.TrimSuffix(frenchMoney(p.budget), " €") + " EUR", "EUR" + p.budget, p.budget + " euros", "EUR " + p.budget}
			return forms[g.rnd.IntN(len(forms))], true
		}},
		{"note_satisfaction", rules.BadInteger, ExpectCorrected, func(p project, row []string) (string, bool) {
			if p.note == "" {
				return "", false
			}
			forms := []string{p.note + "/5", p.note + ",0", p.note + ".0"}
			return forms[g.rnd.IntN(len(forms))], true
		}},
		{"sites", rules.BadList, ExpectCorrected, func(p project, row []string) (string, bool) {
			if len(p.sites) < 2 {
				return "", false
			}
			seps := []string{", ", ";", " / "}
			return strings.Join(p.sites, seps[g.rnd.IntN(len(seps))]), true
		}},
		// Beyond repair: reprise must not guess.
		{"date_debut", rules.BadDate, ExpectIsolated, func(p project, row []string) (string, bool) {
			return []string{"hier", "2023-13-45", "32/13/2022", "??"}[g.rnd.IntN(4)], true
		}},
		{"date_debut", rules.BadDate, ExpectIsolated, func(p project, row []string) (string, bool) {
			d := p.debut // two-digit year: the century is a guess
			return fmt.Sprintf("%02d/%02d/%02d", d.Day, int(d.Month), d.Year%100), true
		}},
		{"statut", rules.BadEnum, ExpectIsolated, func(p project, row []string) (string, bool) {
			return []string{"inconnu", "à voir", "en"}[g.rnd.IntN(3)], true
		}},
		{"id_client", rules.UnknownReference, ExpectIsolated, func(p project, row []string) (string, bool) {
			return strconv.Itoa(g.cfg.Clients + 5000 + g.rnd.IntN(1000)), true
		}},
		{"date_fin", rules.DateOrder, ExpectIsolated, func(p project, row []string) (string, bool) {
			return p.debut.AddDays(-3 - g.rnd.IntN(60)).String(), true
		}},
		{"titre", rules.MissingRequired, ExpectIsolated, func(p project, row []string) (string, bool) { return "", true }},
		{"date_fin", rules.EndDateRequired, ExpectIsolated, func(p project, row []string) (string, bool) {
			return "", p.statut == model.StatutTermine
		}},
		{"note_satisfaction", rules.BadInteger, ExpectIsolated, func(p project, row []string) (string, bool) {
			return "7/10", p.statut == model.StatutTermine
		}},
		{"budget", rules.OutOfRange, ExpectIsolated, func(p project, row []string) (string, bool) { return "-1500", true }},
	}
}

// corrupt writes projets_corrompus.csv: new projects, each damaged in one column, plus
// a few copies of projects of projets.csv, identical (to ignore) or changed (a
// conflict to isolate); and its manifest.
func (g *gen) corrupt() error {
	cols := model.ProjetColumns
	out, err := g.create("projets_corrompus.csv", canonical, cols)
	if err != nil {
		return err
	}
	man, err := createManifest[CorruptManifestRow](g, "projets_corrompus_manifest.csv")
	if err != nil {
		out.Close()
		return err
	}
	kinds := g.corruptions()
	colIdx := func(name string) int {
		for i, c := range cols {
			if c == name {
				return i
			}
		}
		return -1
	}
	nextID := g.maxProjet + 5000
	for n := 0; n < g.cfg.Corrupt; n++ {
		if err := g.stopped(); err != nil {
			out.Close()
			man.Close()
			return err
		}
		var row []string
		var note CorruptManifestRow
		switch k := g.rnd.IntN(20); {
		case k == 0 && len(g.projects) > 0: // an identical copy of a loaded project
			p := g.projects[g.rnd.IntN(len(g.projects))]
			row = g.projectRow(p, canonical)
			note = CorruptManifestRow{IDProjet: p.id, Code: rules.AlreadyLoaded, Expect: ExpectIgnored}
		case k == 1 && len(g.projects) > 0: // a changed copy: a conflict
			p := g.projects[g.rnd.IntN(len(g.projects))]
			row = g.projectRow(p, canonical)
			row[2] += " (bis)"
			note = CorruptManifestRow{IDProjet: p.id, Column: "titre", Code: rules.DuplicateKeyConflict, Expect: ExpectIsolated, Raw: row[2]}
		default:
			nextID++
			p := g.newProject(nextID)
			row = g.projectRow(p, canonical)
			start := g.rnd.IntN(len(kinds))
			for i := range kinds {
				c := kinds[(start+i)%len(kinds)]
				raw, ok := c.apply(p, row)
				if !ok {
					continue
				}
				idx := colIdx(c.column)
				expected := ""
				if c.expect == ExpectCorrected {
					expected = row[idx]
				}
				row[idx] = raw
				note = CorruptManifestRow{IDProjet: p.id, Column: c.column, Code: c.code, Expect: c.expect, Raw: raw, Expected: expected}
				break
			}
		}
		if err := out.write(row); err != nil {
			return err
		}
		note.Line = out.line
		if err := man.add(note); err != nil {
			return err
		}
	}
	g.sum.Files = append(g.sum.Files, FileSummary{Name: out.name, Rows: out.rows, Defects: out.rows})
	if err := out.Close(); err != nil {
		man.Close()
		return err
	}
	return man.Close()
}
