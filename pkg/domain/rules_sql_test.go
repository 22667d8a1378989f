package domain_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// ruleCase is one row in canonical form (as stored) with the codes every form of the
// rules must find in it: "" for a valid row. Parent overrides the project an
// affectation points to.
type ruleCase struct {
	name   string
	entity string
	set    map[string]string
	parent map[string]string
	want   []rules.Code
}

var base = map[string]map[string]string{
	"clients": {"id_client": "1", "nom": "Dupont SA", "secteur": "Industrie", "email": "contact@dupont.fr",
		"telephone": "04 72 00 00 00", "ville": "Lyon", "date_creation": "2020-01-15"},
	"intervenants": {"id_intervenant": "1", "nom": "Martin", "prenom": "Léa", "email": "lea.martin@clevity.fr",
		"agence": "Lyon", "specialite": "Réseaux", "date_embauche": "2019-03-01"},
	"projets": {"id_projet": "1", "id_client": "1", "titre": "Audit réseau", "type_prestation": "audit", "statut": "termine",
		"date_debut": "2023-01-10", "date_fin": "2023-03-31", "budget": "12500.50", "note_satisfaction": "4", "sites": "Lyon|Paris"},
	"affectations": {"id_affectation": "1", "id_projet": "1", "id_intervenant": "1", "role": "consultant", "site": "Lyon",
		"date_debut": "2023-01-10", "date_fin": "2023-02-28", "jours": "12.5"},
}

var ruleCases = []ruleCase{
	{name: "valid client", entity: "clients"},
	{name: "client optional empty", entity: "clients", set: map[string]string{"secteur": "", "telephone": "", "ville": "", "date_creation": ""}},
	{name: "id zero", entity: "clients", set: map[string]string{"id_client": "0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "id negative", entity: "clients", set: map[string]string{"id_client": "-4"}, want: []rules.Code{rules.OutOfRange}},
	{name: "nom missing", entity: "clients", set: map[string]string{"nom": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "nom 150", entity: "clients", set: map[string]string{"nom": strings.Repeat("é", 150)}},
	{name: "nom 151", entity: "clients", set: map[string]string{"nom": strings.Repeat("é", 151)}, want: []rules.Code{rules.TooLong}},
	{name: "email missing", entity: "clients", set: map[string]string{"email": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "email no at", entity: "clients", set: map[string]string{"email": "contact.dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email no dot", entity: "clients", set: map[string]string{"email": "contact@dupont"}, want: []rules.Code{rules.BadEmail}},
	{name: "email two at", entity: "clients", set: map[string]string{"email": "a@b@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email space", entity: "clients", set: map[string]string{"email": "a b@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email 254", entity: "clients", set: map[string]string{"email": strings.Repeat("a", 244) + "@dupont.fr"}},
	{name: "email 255", entity: "clients", set: map[string]string{"email": strings.Repeat("a", 245) + "@dupont.fr"}, want: []rules.Code{rules.TooLong}},
	{name: "creation in future", entity: "clients", set: map[string]string{"date_creation": "2999-01-01"}, want: []rules.Code{rules.DateInFuture}},
	{name: "nom with NUL", entity: "clients", set: map[string]string{"nom": "Dupont\x00SA"}, want: []rules.Code{rules.BadText}},
	{name: "nom with zero-width space", entity: "clients", set: map[string]string{"nom": "Dupont\u200bSA"}, want: []rules.Code{rules.BadText}},
	{name: "ville with DEL", entity: "clients", set: map[string]string{"ville": "Lyon\x7f"}, want: []rules.Code{rules.BadText}},
	{name: "telephone controls", entity: "clients", set: map[string]string{"telephone": "\x01\x02"}, want: []rules.Code{rules.BadText}},
	{name: "nom with BOM", entity: "clients", set: map[string]string{"nom": "\ufeffDupont SA"}, want: []rules.Code{rules.BadText}},
	{name: "nom accented", entity: "clients", set: map[string]string{"nom": "Société Générale"}},
	{name: "email zero-width", entity: "clients", set: map[string]string{"email": "contact@dupont.fr\u200b"}, want: []rules.Code{rules.BadEmail}},
	{name: "email mailto", entity: "clients", set: map[string]string{"email": "mailto:contact@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email quote", entity: "clients", set: map[string]string{"email": "a30\"x@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email apostrophe", entity: "clients", set: map[string]string{"email": "o'neil@dupont.fr"}},
	{name: "email Kelvin", entity: "clients", set: map[string]string{"email": "\u212aim@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email accented", entity: "clients", set: map[string]string{"email": "\u00e9@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "telephone 31", entity: "clients", set: map[string]string{"telephone": strings.Repeat("0", 31)}, want: []rules.Code{rules.TooLong}},

	{name: "valid intervenant", entity: "intervenants"},
	{name: "agence missing", entity: "intervenants", set: map[string]string{"agence": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "prenom 81", entity: "intervenants", set: map[string]string{"prenom": strings.Repeat("x", 81)}, want: []rules.Code{rules.TooLong}},
	{name: "embauche future", entity: "intervenants", set: map[string]string{"date_embauche": "2999-12-31"}, want: []rules.Code{rules.DateInFuture}},

	{name: "valid projet", entity: "projets"},
	{name: "planned projet", entity: "projets", set: map[string]string{"statut": "planifie", "date_fin": "", "note_satisfaction": "", "budget": ""}},
	{name: "projet without sites", entity: "projets", set: map[string]string{"sites": ""}},
	{name: "bad type", entity: "projets", set: map[string]string{"type_prestation": "conseil"}, want: []rules.Code{rules.BadEnum}},
	{name: "bad statut", entity: "projets", set: map[string]string{"statut": "fini"}, want: []rules.Code{rules.BadEnum, rules.SatisfactionNotAllowed}},
	{name: "negative budget", entity: "projets", set: map[string]string{"budget": "-1.00"}, want: []rules.Code{rules.OutOfRange}},
	{name: "zero budget", entity: "projets", set: map[string]string{"budget": "0.00"}},
	{name: "note 0", entity: "projets", set: map[string]string{"note_satisfaction": "0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "note 6", entity: "projets", set: map[string]string{"note_satisfaction": "6"}, want: []rules.Code{rules.OutOfRange}},
	{name: "note 5", entity: "projets", set: map[string]string{"note_satisfaction": "5"}},
	{name: "end before start", entity: "projets", set: map[string]string{"date_fin": "2022-12-31"}, want: []rules.Code{rules.DateOrder}},
	{name: "end equals start", entity: "projets", set: map[string]string{"date_fin": "2023-01-10"}},
	{name: "termine without end", entity: "projets", set: map[string]string{"date_fin": ""}, want: []rules.Code{rules.EndDateRequired}},
	{name: "satisfaction en cours", entity: "projets", set: map[string]string{"statut": "en_cours"}, want: []rules.Code{rules.SatisfactionNotAllowed}},
	{name: "en cours with end", entity: "projets", set: map[string]string{"statut": "en_cours", "note_satisfaction": ""}},
	{name: "annule with satisfaction", entity: "projets", set: map[string]string{"statut": "annule", "note_satisfaction": "1"}, want: []rules.Code{rules.SatisfactionNotAllowed}},
	{name: "titre missing", entity: "projets", set: map[string]string{"titre": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "date_debut missing", entity: "projets", set: map[string]string{"date_debut": ""}, want: []rules.Code{rules.MissingRequired}},

	{name: "valid affectation", entity: "affectations"},
	{name: "bad role", entity: "affectations", set: map[string]string{"role": "stagiaire"}, want: []rules.Code{rules.BadEnum}},
	{name: "jours zero", entity: "affectations", set: map[string]string{"jours": "0.0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "jours negative", entity: "affectations", set: map[string]string{"jours": "-2.0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "affectation end before start", entity: "affectations", set: map[string]string{"date_fin": "2023-01-09"},
		want: []rules.Code{rules.DateOrder}},
	{name: "starts before project", entity: "affectations", set: map[string]string{"date_debut": "2023-01-09"}, want: []rules.Code{rules.OutsideProjectDates}},
	{name: "starts after project end", entity: "affectations", set: map[string]string{"date_debut": "2023-04-01", "date_fin": ""}, want: []rules.Code{rules.OutsideProjectDates}},
	{name: "ends after project", entity: "affectations", set: map[string]string{"date_fin": "2023-04-01"}, want: []rules.Code{rules.OutsideProjectDates}},
	{name: "open end, open project", entity: "affectations", set: map[string]string{"date_fin": ""},
		parent: map[string]string{"statut": "en_cours", "date_fin": "", "note_satisfaction": ""}},
	{name: "late end, open project", entity: "affectations", set: map[string]string{"date_fin": "2030-01-01"},
		parent: map[string]string{"statut": "en_cours", "date_fin": "", "note_satisfaction": ""}},
	{name: "site not in project", entity: "affectations", set: map[string]string{"site": "Nantes"}, want: []rules.Code{rules.SiteNotInProject}},
	{name: "site other case", entity: "affectations", set: map[string]string{"site": "lyon"}, want: []rules.Code{rules.SiteNotInProject}},
	{name: "any site, project without sites", entity: "affectations", set: map[string]string{"site": "Nantes"}, parent: map[string]string{"sites": ""}},
	{name: "no site", entity: "affectations", set: map[string]string{"site": ""}},
}

// row gives rules a map of canonical values.
type row map[string]string

func (r row) Get(col string) string { return r[col] }

func caseRow(c ruleCase, id int) row {
	r := row{}
	for k, v := range base[c.entity] {
		r[k] = v
	}
	for k, v := range c.set {
		r[k] = v
	}
	if c.entity == "affectations" {
		r["id_projet"] = strconv.Itoa(1000 + id)
	}
	r["_case"] = strconv.Itoa(id)
	if _, ok := c.set[domain.Clevity().Entity(c.entity).KeyColumn()]; !ok {
		r[domain.Clevity().Entity(c.entity).KeyColumn()] = strconv.Itoa(id)
	}
	return r
}

func parentRow(c ruleCase, id int) row {
	r := row{}
	for k, v := range base["projets"] {
		r[k] = v
	}
	for k, v := range c.parent {
		r[k] = v
	}
	r["id_projet"] = strconv.Itoa(1000 + id)
	r["_case"] = "0"
	return r
}

// goVerdict judges a canonical row with the Go form of every rule.
func goVerdict(e *domain.Entity, r, parent row, today model.Date) []rules.Code {
	var codes []rules.Code
	add := func(v *rules.Violation) {
		if v != nil && !slices.Contains(codes, v.Code) {
			codes = append(codes, v.Code)
		}
	}
	for i := range e.Fields {
		f := &e.Fields[i]
		canon, v := f.Normalize(r[f.Name], today)
		add(v)
		if v == nil && canon != r[f.Name] {
			add(&rules.Violation{Code: "NOT_CANONICAL:" + rules.Code(f.Name)})
		}
	}
	for _, rr := range e.RowRules {
		add(rr.Check(r))
	}
	for _, pc := range e.ParentRules {
		add(pc.Rule.Check(r, parent))
	}
	return codes
}

func sqlType(f rules.Field) string {
	switch f.Kind {
	case rules.Integer:
		return "BIGINT"
	case rules.Decimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", f.Precision+2, f.Scale)
	case rules.Date:
		return "DATE"
	}
	return "VARCHAR(1000)"
}

// TestRulesGoAndSQLAgree runs every case through the Go form of the rules and through
// their SQL form over tables without constraints, and wants the same codes from both.
func TestRulesGoAndSQLAgree(t *testing.T) {
	db, err := sql.Open("mysql", mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := domain.Clevity()
	for _, e := range d.Entities {
		cols := []string{"_case BIGINT NULL"}
		for _, f := range e.Fields {
			if f.Kind != rules.List {
				cols = append(cols, "`"+f.Name+"` "+sqlType(f)+" NULL")
			}
		}
		mustExec(t, db, "CREATE TABLE `"+e.Name+"` ("+strings.Join(cols, ", ")+") CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	}
	mustExec(t, db, "CREATE TABLE projet_sites (id_projet BIGINT, site VARCHAR(1000)) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")

	insert := func(e *domain.Entity, r row) {
		names, marks, args := []string{"_case"}, []string{"?"}, []any{r["_case"]}
		for _, f := range e.Fields {
			if f.Kind == rules.List {
				for _, s := range rules.SplitList(r[f.Name]) {
					mustExec(t, db, "INSERT INTO projet_sites VALUES (?, ?)", r["id_projet"], s)
				}
				continue
			}
			names, marks = append(names, "`"+f.Name+"`"), append(marks, "?")
			if r[f.Name] == "" {
				args = append(args, nil)
			} else {
				args = append(args, r[f.Name])
			}
		}
		mustExec(t, db, "INSERT INTO `"+e.Name+"` ("+strings.Join(names, ",")+") VALUES ("+strings.Join(marks, ",")+")", args...)
	}

	today := model.NewDate(time.Now())
	for i, c := range ruleCases {
		id := i + 1
		e := d.Entity(c.entity)
		r, p := caseRow(c, id), parentRow(c, id)
		insert(e, r)
		if c.entity == "affectations" {
			insert(d.Entity("projets"), p)
		}
		t.Run(c.name, func(t *testing.T) {
			want := slices.Clone(c.want)
			slices.Sort(want)
			gotGo := goVerdict(e, r, p, today)
			slices.Sort(gotGo)
			if !slices.Equal(gotGo, want) {
				t.Errorf("Go form: %v, want %v", gotGo, want)
			}
			gotSQL := sqlVerdict(t, db, e, id, today)
			slices.Sort(gotSQL)
			if !slices.Equal(gotSQL, want) {
				t.Errorf("SQL form: %v, want %v", gotSQL, want)
			}
		})
	}
}

// sqlVerdict evaluates the SQL form of every rule of e on the row with key id.
func sqlVerdict(t *testing.T, db *sql.DB, e *domain.Entity, id int, today model.Date) []rules.Code {
	t.Helper()
	var codes []rules.Code
	try := func(code rules.Code, from, pred string) {
		var bad bool
		q := "SELECT NOT COALESCE((" + pred + "), FALSE) FROM " + from + " WHERE c._case = ?"
		if err := db.QueryRow(q, id).Scan(&bad); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if bad && !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	self := "`" + e.Name + "` c"
	for i := range e.Fields {
		for _, chk := range e.Fields[i].SQL("c.`"+e.Fields[i].Name+"`", today) {
			try(chk.Code, self, chk.Valid)
		}
	}
	for _, rr := range e.RowRules {
		try(rr.Code, self, rr.SQL)
	}
	for _, pc := range e.ParentRules {
		parent := "`" + pc.Ref.Parent + "` p"
		pkey := "p.`" + domainKey(pc.Ref.Parent) + "`"
		try(pc.Rule.Code, self+" JOIN "+parent+" ON "+pkey+" = c.`"+pc.Ref.Column+"`", pc.Rule.SQL)
	}
	return codes
}

func domainKey(entity string) string { return domain.Clevity().Entity(entity).KeyColumn() }

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
