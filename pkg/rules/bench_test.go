package rules

import (
	"testing"

	"dmt/pkg/model"
)

// benchRows are rows as the generated files hold them (clean values, as most rows of
// a file are), with the fields that read them: an affectation, a client, a project.
var benchRows = []struct {
	fields []Field
	values []string
}{
	{[]Field{{Name: "id_affectation", Kind: Integer, Required: true}, {Name: "id_projet", Kind: Integer, Required: true},
		{Name: "id_intervenant", Kind: Integer, Required: true}, {Name: "role", Kind: Enum, Required: true, Values: model.Roles},
		{Name: "site", Kind: Text, MaxLen: 80}, {Name: "date_debut", Kind: Date, Required: true}, {Name: "date_fin", Kind: Date},
		{Name: "jours", Kind: Decimal, Precision: 6, Scale: 1}},
		[]string{"123456", "23456", "789", "consultant", "Montpellier", "2024-01-05", "2024-01-17", "2.0"}},
	{[]Field{{Name: "id_client", Kind: Integer, Required: true}, {Name: "nom", Kind: Text, MaxLen: 150, Required: true},
		{Name: "secteur", Kind: Text, MaxLen: 80}, {Name: "email", Kind: Email, MaxLen: 190}, {Name: "telephone", Kind: Text, MaxLen: 30},
		{Name: "ville", Kind: Text, MaxLen: 80}, {Name: "date_creation", Kind: Date}},
		[]string{"1", "Pégase Petit", "Éducation", "direction@pegase-petit.fr", "04 90 51 54 59", "Montpellier", "2000-04-24"}},
	{[]Field{{Name: "id_projet", Kind: Integer, Required: true}, {Name: "titre", Kind: Text, MaxLen: 200, Required: true},
		{Name: "budget", Kind: Decimal, Precision: 12, Scale: 2}, {Name: "sites", Kind: List, MaxLen: 80}},
		[]string{"1", "Formation Office 365 2017", "7594.59", "Toulouse|Grenoble"}},
}

// BenchmarkNormalize normalises every value of benchRows, as the checker does for
// each row it reads.
func BenchmarkNormalize(b *testing.B) {
	today := model.Date{Year: 2026, Month: 11, Day: 15}
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range benchRows {
			for i := range r.fields {
				if _, v := r.fields[i].Normalize(r.values[i], today); v != nil {
					b.Fatalf("%s %q: %v", r.fields[i].Name, r.values[i], v)
				}
			}
		}
	}
}

// BenchmarkAmongParentList checks an affectation's site against its project's list,
// as the checker does for each affectation.
func BenchmarkAmongParentList(b *testing.B) {
	rule := AmongParentList("site", "sites", "projet_sites", "id_projet", "site", SiteNotInProject)
	child := benchRow{"site": "Grenoble"}
	parent := benchRow{"sites": "Toulouse|Grenoble|Lyon"}
	b.ReportAllocs()
	for b.Loop() {
		if v := rule.Check(child, parent); v != nil {
			b.Fatal(v)
		}
	}
}

type benchRow map[string]string

func (r benchRow) Get(column string) string { return r[column] }
