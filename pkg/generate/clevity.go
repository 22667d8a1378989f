package generate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// file writes the rows of one entity: each row is built valid, then maybe given a
// defect, written, and noted in the manifest.
type file struct {
	g       *gen
	entity  string
	dl      Dialect
	out     *output
	defects int
}

func (g *gen) open(entity string, header []string) (*file, error) {
	dl := g.dialect(entity)
	out, err := g.create(entity+".csv", dl, header)
	if err != nil {
		return nil, err
	}
	return &file{g: g, entity: entity, dl: dl, out: out}, nil
}

// defect is a change made to a valid row; apply returns false when it does not fit the row.
type defect struct {
	code   rules.Code
	column string
	expect string
	apply  func(row []string) bool
}

// emit writes row, applying one of defects when the dice say so; it reports whether the
// written row is valid (so that children may refer to it) and returns the line.
func (f *file) emit(id string, row []string, defectsOf func() []defect) (valid bool, err error) {
	g := f.g
	if g.defect() {
		defects := defectsOf()
		start := g.rnd.IntN(len(defects))
		for i := range defects {
			d := defects[(start+i)%len(defects)]
			changed := slices.Clone(row)
			if d.code == rules.DuplicateRow || d.code == rules.DuplicateKeyConflict {
				// The original goes first, valid; the copy is the defect.
				if !d.apply(changed) {
					continue
				}
				if err := f.out.write(row); err != nil {
					return false, err
				}
				if err := f.out.write(changed); err != nil {
					return false, err
				}
				f.defects++
				return true, g.record(f.out.name, f.out.line, id, d.column, d.code, d.expect, "")
			}
			if !d.apply(changed) {
				continue
			}
			if d.code == rules.MalformedRow {
				changed = changed[:len(changed)-1]
			}
			if err := f.out.write(changed); err != nil {
				return false, err
			}
			f.defects++
			return d.expect == ExpectAccept, g.record(f.out.name, f.out.line, id, d.column, d.code, d.expect, "")
		}
	}
	return true, f.out.write(row)
}

func (f *file) close() error {
	f.g.sum.Files = append(f.g.sum.Files, FileSummary{Name: f.out.name, Rows: f.out.rows, Defects: f.defects})
	return f.out.Close()
}

// set returns a defect that puts value in column col of the entity's columns.
func set(cols []string, col string, code rules.Code, expect string, value func(row []string) (string, bool)) defect {
	i := slices.Index(cols, col)
	return defect{code: code, column: col, expect: expect, apply: func(row []string) bool {
		v, ok := value(row)
		if ok {
			row[i] = v
		}
		return ok
	}}
}

func always(v string) func([]string) (string, bool) {
	return func([]string) (string, bool) { return v, true }
}

// commonDefects are the defects every entity can show.
func (f *file) commonDefects(cols []string, changeable string, change func(string) string) []defect {
	ci := slices.Index(cols, changeable)
	return []defect{
		{code: rules.DuplicateRow, column: cols[0], expect: ExpectIgnore, apply: func([]string) bool { return true }},
		{code: rules.DuplicateKeyConflict, column: cols[0], expect: ExpectReject, apply: func(row []string) bool {
			row[ci] = change(row[ci])
			return true
		}},
		{code: rules.MalformedRow, column: "", expect: ExpectReject, apply: func([]string) bool { return true }},
		set(cols, cols[0], rules.BadInteger, ExpectReject, func(row []string) (string, bool) { return row[0] + "a", true }),
	}
}

func (g *gen) clients() error {
	cols := model.ClientColumns
	f, err := g.open("clients", cols)
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	names := map[string]bool{}
	for id := 1; id <= g.cfg.Clients; id++ {
		if err := g.stopped(); err != nil {
			return err
		}
		var nom string
		for tries := 0; ; tries++ {
			nom = g.pick(companyWords) + " " + g.pick(lastNames)
			if g.chance(0.7) {
				nom += " " + g.pick(companyForms)
			}
			if g.chance(0.3) {
				nom = g.pick(companyWords) + " " + nom
			}
			if tries == maxNameTries { // the names are running out: the id makes it unique
				nom += " " + strconv.Itoa(id)
			}
			if !names[nom] || tries == maxNameTries {
				break
			}
		}
		names[nom] = true
		email := uniqueEmail(taken, g.pick([]string{"contact", "info", "dsi", "achats", "direction"}), slug(nom)+".fr")
		created := g.between(date(1995, 1, 1), g.cfg.Today.AddDays(-30))
		row := []string{strconv.Itoa(id), nom, g.pick(sectors), email, g.phone(), g.pick(cities), g.formatDate(created, f.dl)}
		if g.chance(0.1) {
			row[2] = ""
		}
		if g.chance(0.05) {
			row[6] = ""
		}
		defects := func() []defect {
			return append(f.commonDefects(cols, "ville", func(v string) string { return v + " Cedex" }),
				set(cols, "nom", rules.MissingRequired, ExpectReject, always("")),
				set(cols, "nom", rules.TooLong, ExpectReject, func(row []string) (string, bool) { return strings.Repeat(row[1]+" ", 20), true }),
				set(cols, "email", rules.BadEmail, ExpectReject, func(row []string) (string, bool) { return strings.Replace(row[3], "@", ".", 1), true }),
				set(cols, "email", rules.EmailTaken, ExpectReject, func([]string) (string, bool) {
					if len(g.clientEmails) == 0 {
						return "", false
					}
					return g.pick(g.clientEmails), true
				}),
				set(cols, "date_creation", rules.BadDate, ExpectReject, always("31/02/2021")),
				set(cols, "date_creation", rules.DateInFuture, ExpectReject, func([]string) (string, bool) {
					return g.formatDate(g.cfg.Today.AddDays(30+g.rnd.IntN(300)), f.dl), true
				}),
				set(cols, "email", FormVariant, ExpectAccept, func(row []string) (string, bool) { return "  " + strings.ToUpper(row[3]), true }),
				set(cols, "nom", FormVariant, ExpectAccept, func(row []string) (string, bool) {
					return " " + strings.Replace(row[1], " ", "   ", 1) + " ", true
				}),
				set(cols, "date_creation", FormVariant, ExpectAccept, func(row []string) (string, bool) {
					if row[6] == "" {
						return "", false
					}
					return created.String() + "T09:30:00", true
				}),
			)
		}
		valid, err := f.emit(strconv.Itoa(id), row, defects)
		if err != nil {
			return err
		}
		if valid {
			g.clientIDs = append(g.clientIDs, id)
			g.clientEmails = append(g.clientEmails, email)
		}
		g.maxClient = id
	}
	return f.close()
}

func (g *gen) phone() string {
	return fmt.Sprintf("0%d %02d %02d %02d %02d", 1+g.rnd.IntN(5), g.rnd.IntN(100), g.rnd.IntN(100), g.rnd.IntN(100), g.rnd.IntN(100))
}

func (g *gen) intervenants() error {
	cols := model.IntervenantColumns
	f, err := g.open("intervenants", cols)
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for id := 1; id <= g.cfg.Intervenants; id++ {
		if err := g.stopped(); err != nil {
			return err
		}
		nom, prenom := g.pick(lastNames), g.pick(firstNames)
		email := uniqueEmail(taken, slug(prenom)+"."+slug(nom), "clevity.fr")
		agency := g.pick(agencies)
		if g.chance(0.35) {
			agency = agencies[g.rnd.IntN(2)] // Lyon and Paris are the big offices
		}
		hired := g.between(date(2008, 1, 1), g.cfg.Today.AddDays(-7))
		row := []string{strconv.Itoa(id), nom, prenom, email, agency, g.pick(specialities), g.formatDate(hired, f.dl)}
		defects := func() []defect {
			return append(f.commonDefects(cols, "specialite", func(v string) string { return v + " avancé" }),
				set(cols, "agence", rules.MissingRequired, ExpectReject, always("")),
				set(cols, "prenom", rules.TooLong, ExpectReject, always(strings.Repeat("Jean-", 20))),
				set(cols, "email", rules.BadEmail, ExpectReject, func(row []string) (string, bool) { return strings.Replace(row[3], "@", " at ", 1), true }),
				set(cols, "email", rules.EmailTaken, ExpectReject, func([]string) (string, bool) {
					if len(g.staffEmails) == 0 {
						return "", false
					}
					return g.pick(g.staffEmails), true
				}),
				set(cols, "date_embauche", rules.DateInFuture, ExpectReject, func([]string) (string, bool) {
					return g.formatDate(g.cfg.Today.AddDays(10+g.rnd.IntN(200)), f.dl), true
				}),
				set(cols, "email", FormVariant, ExpectAccept, func(row []string) (string, bool) { return strings.ToUpper(row[3]) + " ", true }),
				set(cols, "date_embauche", FormVariant, ExpectAccept, func([]string) (string, bool) {
					return fmt.Sprintf("%02d-%02d-%04d", hired.Day, int(hired.Month), hired.Year), true
				}),
			)
		}
		valid, err := f.emit(strconv.Itoa(id), row, defects)
		if err != nil {
			return err
		}
		if valid {
			g.staff = append(g.staff, staffMember{id: id, agency: agency})
			g.staffEmails = append(g.staffEmails, email)
		}
		g.maxStaff = id
	}
	return f.close()
}

// durations by type of prestation, in days: min and max.
var durations = map[string][2]int{"audit": {10, 60}, "deploiement": {30, 240}, "formation": {1, 15}, "assistance": {30, 365}}

var budgets = map[string][2]int{"audit": {3000, 60000}, "deploiement": {20000, 500000}, "formation": {800, 15000}, "assistance": {5000, 150000}}

func (g *gen) newProject(id int) project {
	typ := g.pick([]string{"audit", "audit", "deploiement", "deploiement", "deploiement", "formation", "formation", "assistance"})
	start := date(2015, 1, 1)
	debut := g.between(start, g.cfg.Today.AddDays(180))
	dur := durations[typ]
	fin := debut.AddDays(dur[0] + g.rnd.IntN(dur[1]-dur[0]+1))
	p := project{id: id, typ: typ, debut: debut, fin: fin, clientID: g.clientIDs[g.rnd.IntN(len(g.clientIDs))]}
	today := g.cfg.Today
	switch {
	case today.Before(debut):
		p.statut = model.StatutPlanifie
		if g.chance(0.05) {
			p.statut = model.StatutAnnule
		}
		if g.chance(0.3) {
			p.fin = model.Date{}
		}
	case fin.Before(today):
		p.statut = model.StatutTermine
		if g.chance(0.08) {
			p.statut = model.StatutAnnule
		}
	default:
		p.statut = model.StatutEnCours
		if g.chance(0.4) {
			p.fin = model.Date{}
		}
	}
	if p.statut == model.StatutTermine && g.chance(0.85) {
		p.note = strconv.Itoa([]int{1, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5}[g.rnd.IntN(11)])
	}
	b := budgets[typ]
	if !g.chance(0.05) {
		p.budget = g.money(b[0], b[1])
	}
	switch n := g.rnd.IntN(10); {
	case n < 2: // no site recorded
	case n < 7:
		p.sites = []string{g.pick(agencies)}
	default:
		for len(p.sites) < 2+g.rnd.IntN(2) {
			if s := g.pick(agencies); !slices.Contains(p.sites, s) {
				p.sites = append(p.sites, s)
			}
		}
	}
	objects := titleObjects[typ]
	p.titre = objects[g.rnd.IntN(len(objects))] + " " + strconv.Itoa(debut.Year)
	return p
}

func (g *gen) projectRow(p project, dl Dialect) []string {
	return []string{strconv.Itoa(p.id), strconv.Itoa(p.clientID), p.titre, p.typ, p.statut, g.formatDate(p.debut, dl),
		g.formatDate(p.fin, dl), formatDecimal(p.budget, dl), p.note, strings.Join(p.sites, "|")}
}

func (g *gen) projets() error {
	cols := model.ProjetColumns
	f, err := g.open("projets", cols)
	if err != nil {
		return err
	}
	if len(g.clientIDs) == 0 && g.cfg.Projets > 0 {
		return fmt.Errorf("projets need at least one valid client")
	}
	for id := 1; id <= g.cfg.Projets; id++ {
		if err := g.stopped(); err != nil {
			return err
		}
		p := g.newProject(id)
		row := g.projectRow(p, f.dl)
		dl := f.dl
		defects := func() []defect {
			return append(f.commonDefects(cols, "titre", func(v string) string { return v + " (phase 2)" }),
				set(cols, "titre", rules.MissingRequired, ExpectReject, always("")),
				set(cols, "statut", rules.BadEnum, ExpectReject, func([]string) (string, bool) {
					return "fini", p.note == "" // with a score it would also be SATISFACTION_NOT_ALLOWED
				}),
				set(cols, "type_prestation", rules.BadEnum, ExpectReject, always("conseil")),
				set(cols, "budget", rules.BadDecimal, ExpectReject, func(row []string) (string, bool) { return "12.345", true }),
				set(cols, "budget", rules.OutOfRange, ExpectReject, always("-500")),
				set(cols, "note_satisfaction", rules.OutOfRange, ExpectReject, func([]string) (string, bool) {
					return "7", p.statut == model.StatutTermine
				}),
				set(cols, "date_fin", rules.DateOrder, ExpectReject, func([]string) (string, bool) {
					return g.formatDate(p.debut.AddDays(-1-g.rnd.IntN(30)), dl), true
				}),
				set(cols, "date_fin", rules.EndDateRequired, ExpectReject, func([]string) (string, bool) {
					return "", p.statut == model.StatutTermine
				}),
				defect{code: rules.SatisfactionNotAllowed, column: "note_satisfaction", expect: ExpectReject, apply: func(row []string) bool {
					// A project still running, already scored.
					row[4], row[8] = model.StatutEnCours, "4"
					return true
				}},
				set(cols, "id_client", rules.UnknownReference, ExpectReject, func([]string) (string, bool) {
					return strconv.Itoa(g.cfg.Clients + 1000 + g.rnd.IntN(1000)), true
				}),
				set(cols, "date_debut", rules.BadDate, ExpectReject, always("2021-02-30")),
				set(cols, "statut", FormVariant, ExpectAccept, func(row []string) (string, bool) {
					return map[string]string{"termine": "Terminé", "en_cours": "En cours", "planifie": "PLANIFIÉ", "annule": "Annulé"}[p.statut], true
				}),
				set(cols, "type_prestation", FormVariant, ExpectAccept, func(row []string) (string, bool) {
					return map[string]string{"audit": "AUDIT", "deploiement": "Déploiement", "formation": "Formation", "assistance": " assistance "}[p.typ], true
				}),
				set(cols, "budget", FormVariant, ExpectAccept, func([]string) (string, bool) {
					if p.budget == "" {
						return "", false
					}
					return frenchMoney(p.budget), true
				}),
				set(cols, "date_debut", FormVariant, ExpectAccept, func([]string) (string, bool) {
					return fmt.Sprintf("%04d/%02d/%02d", p.debut.Year, int(p.debut.Month), p.debut.Day), true
				}),
			)
		}
		valid, err := f.emit(strconv.Itoa(id), row, defects)
		if err != nil {
			return err
		}
		if valid {
			g.projects = append(g.projects, p)
		}
		g.maxProjet = id
	}
	return f.close()
}

// frenchMoney writes a canonical decimal the way French spreadsheets show it:
// "12 500,50 €".
func frenchMoney(s string) string {
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String() + "," + frac + " €"
}

// affectation is one staffing of a project, canonical.
type affectation struct {
	id, projet, staff int
	role, site        string
	debut, fin        model.Date
	jours             string
}

func (g *gen) affectations() error {
	cols := model.AffectationColumns
	f, err := g.open("affectations", cols)
	if err != nil {
		return err
	}
	if (len(g.projects) == 0 || len(g.staff) == 0) && g.cfg.Affectations > 0 {
		return fmt.Errorf("affectations need at least one valid projet and intervenant")
	}
	byAgency := map[string][]int{}
	for i, s := range g.staff {
		byAgency[s.agency] = append(byAgency[s.agency], i)
	}
	keys := g.newAffectationKeys()
	if n := keys.capacity(g); uint64(g.cfg.Affectations) > n {
		return fmt.Errorf("only %d distinct affectations possible with these parents (%d valid projets, %d valid intervenants; the key is projet, intervenant, role and date_debut): lower -affectations or raise the parents",
			n, len(g.projects), len(g.staff))
	}
	for id := 1; id <= g.cfg.Affectations; id++ {
		if err := g.stopped(); err != nil {
			return err
		}
		a, p, err := g.newAffectation(id, byAgency, keys)
		if err != nil {
			return err
		}
		dl := f.dl
		row := []string{strconv.Itoa(a.id), strconv.Itoa(a.projet), strconv.Itoa(a.staff), a.role, a.site,
			g.formatDate(a.debut, dl), g.formatDate(a.fin, dl), formatDecimal(a.jours, dl)}
		defects := func() []defect {
			return append(f.commonDefects(cols, "jours", func(v string) string { return formatDecimal("99.5", dl) }),
				set(cols, "role", rules.MissingRequired, ExpectReject, always("")),
				set(cols, "role", rules.BadEnum, ExpectReject, always("stagiaire")),
				set(cols, "jours", rules.OutOfRange, ExpectReject, always("0")),
				set(cols, "jours", rules.BadDecimal, ExpectReject, always(formatDecimal("2.55", dl))),
				set(cols, "date_fin", rules.DateOrder, ExpectReject, func([]string) (string, bool) {
					end := a.debut.AddDays(-1)
					return g.formatDate(end, dl), !end.Before(p.debut)
				}),
				set(cols, "date_debut", rules.OutsideProjectDates, ExpectReject, func([]string) (string, bool) {
					return g.formatDate(p.debut.AddDays(-1-g.rnd.IntN(20)), dl), true
				}),
				set(cols, "site", rules.SiteNotInProject, ExpectReject, func([]string) (string, bool) {
					if len(p.sites) == 0 {
						return "", false
					}
					for _, s := range agencies {
						if !slices.Contains(p.sites, s) {
							return s, true
						}
					}
					return "", false
				}),
				set(cols, "id_intervenant", rules.UnknownReference, ExpectReject, func([]string) (string, bool) {
					return strconv.Itoa(g.cfg.Intervenants + 1000 + g.rnd.IntN(1000)), true
				}),
				set(cols, "id_projet", rules.UnknownReference, ExpectReject, func([]string) (string, bool) {
					return strconv.Itoa(g.cfg.Projets + 1000 + g.rnd.IntN(1000)), true
				}),
				set(cols, "role", FormVariant, ExpectAccept, func([]string) (string, bool) {
					return strings.ToUpper(strings.ReplaceAll(a.role, "_", " ")), true
				}),
				set(cols, "date_debut", FormVariant, ExpectAccept, func([]string) (string, bool) {
					return a.debut.String() + " 08:00:00", true
				}),
			)
		}
		if _, err := f.emit(strconv.Itoa(id), row, defects); err != nil {
			return err
		}
	}
	return f.close()
}

// maxNameTries bounds the search for a name not used yet; past it a number is added.
const maxNameTries = 50

// maxKeyDraws bounds the random draws of an affectation key; past it (the keys the
// parents allow are nearly all taken) the next free key is taken in order.
const maxKeyDraws = 1000

// affectationKeys are the keys (projet, intervenant, role, date_debut) already used,
// each packed into one number, and the place where the walk through every possible key
// stopped.
type affectationKeys struct {
	taken      map[uint64]bool
	staffRadix uint64
	spanRadix  uint64 // more than the days of any project's span
	cursor     struct{ p, s, r, off int }
}

func (g *gen) newAffectationKeys() *affectationKeys {
	span := 0
	for _, d := range durations {
		span = max(span, d[1]+1)
	}
	return &affectationKeys{taken: map[uint64]bool{}, staffRadix: uint64(g.maxStaff) + 1, spanRadix: uint64(span)}
}

// key packs an affectation's key: exact (no two keys share a number) since staff ids
// are at most maxStaff and a start date lies within its project's span.
func (k *affectationKeys) key(projet, staff int, role string, off int) uint64 {
	r := uint64(slices.Index(model.Roles, role))
	return ((uint64(projet)*k.staffRadix+uint64(staff))*uint64(len(model.Roles))+r)*k.spanRadix + uint64(off)
}

// capacity is the number of distinct keys the valid parents allow: every intervenant,
// in every role of the project's type, starting on any day of the project's span.
func (k *affectationKeys) capacity(g *gen) uint64 {
	var n uint64
	for _, p := range g.projects {
		n += uint64(len(g.staff)) * uint64(len(roleFor[p.typ])) * uint64(span(p))
	}
	return n
}

// lastDay is the last day an affectation of p may cover: its end, or for an open
// project its type's longest duration.
func lastDay(p project) model.Date {
	if p.fin.IsZero() {
		return p.debut.AddDays(durations[p.typ][1])
	}
	return p.fin
}

// span is the number of days an affectation of p may start on.
func span(p project) int { return daysBetween(p.debut, lastDay(p)) + 1 }

func daysBetween(from, to model.Date) int { return int(to.Time().Sub(from.Time()).Hours() / 24) }

// newAffectation staffs a valid project with someone of one of its sites' agencies
// when possible, within the project's dates, under a key not used yet. It draws at
// most maxKeyDraws keys at random, then takes the next free one in order; the caller
// has checked that there are enough keys.
func (g *gen) newAffectation(id int, byAgency map[string][]int, keys *affectationKeys) (affectation, project, error) {
	for draw := 0; draw < maxKeyDraws; draw++ {
		p := g.projects[g.rnd.IntN(len(g.projects))]
		a := affectation{id: id, projet: p.id}
		roles := roleFor[p.typ]
		a.role = roles[0]
		if g.chance(0.5) {
			a.role = roles[g.rnd.IntN(len(roles))]
		}
		var s staffMember
		if len(p.sites) > 0 {
			a.site = p.sites[g.rnd.IntN(len(p.sites))]
			if local := byAgency[a.site]; len(local) > 0 && g.chance(0.8) {
				s = g.staff[local[g.rnd.IntN(len(local))]]
			} else {
				s = g.staff[g.rnd.IntN(len(g.staff))]
			}
		} else {
			s = g.staff[g.rnd.IntN(len(g.staff))]
		}
		a.staff = s.id
		end := lastDay(p)
		a.debut = g.between(p.debut, end)
		if !p.fin.IsZero() || g.chance(0.7) {
			a.fin = g.between(a.debut, end)
		}
		key := keys.key(p.id, s.id, a.role, daysBetween(p.debut, a.debut))
		if keys.taken[key] {
			continue
		}
		keys.taken[key] = true
		g.workDays(&a)
		return a, p, nil
	}
	return g.nextFreeAffectation(id, keys)
}

// nextFreeAffectation takes the first key not used yet in the order projets,
// intervenants, roles, start dates, resuming where the previous call stopped: every
// key before that place is taken, so the walk covers each key at most once in a run.
func (g *gen) nextFreeAffectation(id int, keys *affectationKeys) (affectation, project, error) {
	c := &keys.cursor
	for ; c.p < len(g.projects); c.p, c.s = c.p+1, 0 {
		p := g.projects[c.p]
		roles := roleFor[p.typ]
		days := span(p)
		for ; c.s < len(g.staff); c.s, c.r = c.s+1, 0 {
			for ; c.r < len(roles); c.r, c.off = c.r+1, 0 {
				for ; c.off < days; c.off++ {
					s := g.staff[c.s]
					key := keys.key(p.id, s.id, roles[c.r], c.off)
					if keys.taken[key] {
						continue
					}
					keys.taken[key] = true
					a := affectation{id: id, projet: p.id, staff: s.id, role: roles[c.r], debut: p.debut.AddDays(c.off)}
					if len(p.sites) > 0 {
						a.site = p.sites[g.rnd.IntN(len(p.sites))]
						if slices.Contains(p.sites, s.agency) {
							a.site = s.agency
						}
					}
					if !p.fin.IsZero() || g.chance(0.7) {
						a.fin = g.between(a.debut, lastDay(p))
					}
					g.workDays(&a)
					return a, p, nil
				}
			}
		}
	}
	return affectation{}, project{}, fmt.Errorf("affectation %d: every key the parents allow is taken", id)
}

// workDays sets a's jours: half days within its dates, sometimes left empty.
func (g *gen) workDays(a *affectation) {
	days := 1
	if !a.fin.IsZero() {
		days = daysBetween(a.debut, a.fin) + 1
	}
	halfDays := 1 + g.rnd.IntN(min(days*2, 400))
	a.jours = model.Decimal{Units: int64(halfDays) * 5, Scale: 1}.String()
	if g.chance(0.05) {
		a.jours = ""
	}
}
