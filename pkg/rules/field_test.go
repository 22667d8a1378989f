package rules

import (
	"testing"
	"time"

	"dmt/pkg/model"
)

func TestFieldNormalize(t *testing.T) {
	today := model.Date{Year: 2026, Month: time.November, Day: 15}
	id := Field{Name: "id", Kind: Integer, Required: true, Min: MoreThan(0)}
	note := Field{Name: "note", Kind: Integer, Min: AtLeast(1), Max: AtMost(5)}
	budget := Field{Name: "budget", Kind: Decimal, Precision: 12, Scale: 2, Min: AtLeast(0)}
	jours := Field{Name: "jours", Kind: Decimal, Precision: 6, Scale: 1, Min: MoreThan(0)}
	created := Field{Name: "d", Kind: Date, NotFuture: true}
	email := Field{Name: "email", Kind: Email, Required: true, MaxLen: 254}
	nom := Field{Name: "nom", Kind: Text, Required: true, MaxLen: 5}
	statut := Field{Name: "statut", Kind: Enum, Required: true, Values: model.Statuts}
	sites := Field{Name: "sites", Kind: List, MaxLen: 6}
	cases := []struct {
		f        Field
		raw      string
		want     string
		wantCode Code
	}{
		{id, " 42 ", "42", ""},
		{id, "", "", MissingRequired},
		{id, "  ", "", MissingRequired},
		{id, "4x", "", BadInteger},
		{id, "0", "", OutOfRange},
		{note, "", "", ""},
		{note, "5", "5", ""},
		{note, "6", "", OutOfRange},
		{note, "4/5", "", BadInteger},
		{budget, "12 500,50 €", "12500.50", ""},
		{budget, "-1", "", OutOfRange},
		{budget, "12.345", "", BadDecimal},
		{budget, "10000000000", "", OutOfRange},
		{jours, "0", "", OutOfRange},
		{jours, "0,5", "0.5", ""},
		{created, "15/11/2026", "2026-11-15", ""},
		{created, "16/11/2026", "", DateInFuture},
		{created, "31/02/2020", "", BadDate},
		{email, " Jean.Dupont@Exemple.FR ", "jean.dupont@exemple.fr", ""},
		{email, "jean.dupont", "", BadEmail},
		{nom, "  Ab   c ", "Ab c", ""},
		{nom, "Abcdef", "", TooLong},
		{nom, "Élodé", "Élodé", ""},
		{statut, "Terminé", "termine", ""},
		{statut, "En-Cours", "en_cours", ""},
		{statut, "fini", "", BadEnum},
		{sites, " Lyon | Paris|Lyon ", "Lyon|Paris", ""},
		{sites, "Lyon|Grenoble", "", TooLong},
		{sites, "Lyon, Paris", "", BadList},
		{sites, "Lyon;Paris", "", BadList},
	}
	for _, c := range cases {
		got, v := c.f.Normalize(c.raw, today)
		var code Code
		if v != nil {
			code = v.Code
			if v.Column != c.f.Name || v.Detail == "" {
				t.Errorf("%s.Normalize(%q) violation %+v lacks its column or detail", c.f.Name, c.raw, v)
			}
		}
		if got != c.want || code != c.wantCode {
			t.Errorf("%s.Normalize(%q) = %q, %q, want %q, %q", c.f.Name, c.raw, got, code, c.want, c.wantCode)
		}
	}
}
