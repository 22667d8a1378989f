package rules

import (
	"errors"
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
		{sites, "Lyon|lyon|LYON", "", BadList},
		{sites, "Lyon|Lyon", "Lyon", ""},
		{sites, "Lyon|Pa\u200bris", "", BadText},
		{budget, "1,000", "", BadDecimal},
		{budget, "250,000", "", BadDecimal},
		{budget, "1,000,000", "", BadDecimal},
		{budget, "1,000.50", "1000.50", ""},
		{created, "2020-01-01T25:99:00", "", BadDate},
		{nom, "A\x00b", "", BadText},
		{nom, "\ufeffAb", "", BadText},
		{nom, "A\x01\x02", "", BadText},
		{nom, "Ab\x7f", "", BadText},
		{nom, "Ab\u00ad", "", BadText},
		{nom, "e\u0301t\u00e9", "\u00e9t\u00e9", ""},
		{email, "dup@x.fr\u200b", "", BadEmail},
		{email, "\ufeffdup@x.fr", "", BadEmail},
		{email, "a\x00@x.fr", "", BadEmail},
		{email, "mailto:a28@x.fr", "", BadEmail},
		{email, `a30"x@x.fr`, "", BadEmail},
		{email, "\u212aim@x.fr", "", BadEmail},
		{email, "e\u0301@x.fr", "", BadEmail},
		{email, "\u00e9@x.fr", "", BadEmail},
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

func TestFieldNormalizeExplains(t *testing.T) {
	budget := Field{Name: "budget", Kind: Decimal, Precision: 12, Scale: 2}
	_, v := budget.Normalize("250,000", model.Date{})
	if v == nil || v.Detail != `"250,000" is ambiguous: 250.000 or 250000? (write it with a decimal point, or without the comma)` {
		t.Errorf("budget 250,000: %+v", v)
	}
	sites := Field{Name: "sites", Kind: List}
	if _, v := sites.Normalize("Lyon|Paris|lyon", model.Date{}); v == nil || v.Detail != `items "Lyon" and "lyon" differ only by case` {
		t.Errorf("sites Lyon|Paris|lyon: %+v", v)
	}
	nom := Field{Name: "nom", Kind: Text}
	if _, v := nom.Normalize("A\x00b", model.Date{}); v == nil || v.Detail != "holds the invisible or control character U+0000" {
		t.Errorf("nom with NUL: %+v", v)
	}
}

func TestRepairInvisibleAndAmbiguous(t *testing.T) {
	email := Field{Name: "email", Kind: Email}
	nom := Field{Name: "nom", Kind: Text}
	budget := Field{Name: "budget", Kind: Decimal, Precision: 12, Scale: 2}
	cases := []struct {
		f          Field
		raw, fixed string
		rule       string
		ok         bool
	}{
		{email, "dup@x.fr\u200b", "dup@x.fr", "invisible_removed", true},
		{email, "\ufeffMailto:Dup@X.fr", "dup@x.fr", "invisible_removed+email_cleaned", true},
		{nom, "\ufeffDupont\u200b", "Dupont", "invisible_removed", true},
		{nom, "Du\u200bpont", "", "", false}, // inside a word: not ours to guess
		{nom, "Dupont\x00", "", "", false},   // a control character is no copy-and-paste accident
		{email, "\u212aim@x.fr", "", "", false},
	}
	for _, c := range cases {
		fixed, rule, ok, err := c.f.Repair(c.raw)
		if err != nil || ok != c.ok || fixed != c.fixed || rule != c.rule {
			t.Errorf("%s.Repair(%q) = %q, %q, %v, %v; want %q, %q, %v", c.f.Name, c.raw, fixed, rule, ok, err, c.fixed, c.rule, c.ok)
		}
	}
	if _, _, ok, err := budget.Repair("12,500"); ok || !errors.Is(err, ErrAmbiguous) {
		t.Errorf("budget.Repair(12,500) = %v, %v; want ErrAmbiguous: reprise does not guess", ok, err)
	}
}
