package check_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"dmt/pkg/check"
	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

var today = model.Date{Year: 2026, Month: time.November, Day: 15}

func split(s string) []string { return strings.Split(s, ",") }

// TestAcrossRows checks what only a memory of earlier rows can tell.
func TestAcrossRows(t *testing.T) {
	d := domain.Clevity()
	clients, projets, affectations := d.Entity("clients"), d.Entity("projets"), d.Entity("affectations")
	c := check.New(d, today)
	steps := []struct {
		e       *domain.Entity
		row     string
		outcome check.Outcome
		code    rules.Code
		detail  string
	}{
		{clients, "1,Dupont,,a@x.fr,,,", check.Accept, "", ""},
		{clients, "1,Dupont,,A@X.FR ,,,", check.Ignore, rules.DuplicateRow, "identical to line 1"},
		{clients, "1,Dupond,,a@x.fr,,,", check.Reject, rules.DuplicateKeyConflict, "already at line 1"},
		{clients, "2,Martin,,A@x.fr,,,", check.Reject, rules.EmailTaken, "already used by id_client 1"},
		{clients, "3,,,c@x.fr,,,", check.Reject, rules.MissingRequired, ""},
		{projets, "10,3,Audit,audit,planifie,2027-01-01,,,,Lyon|Paris", check.Reject, rules.UnknownReference, "was rejected (clients line 5)"},
		{projets, "11,9,Audit,audit,planifie,2027-01-01,,,,", check.Reject, rules.UnknownReference, "not found in clients"},
		{projets, "12,1,Audit,audit,termine,2023-01-01,2023-02-01,,5,Lyon|Paris", check.Accept, "", ""},
		{projets, "13,1,Audit,audit,termine,2023-01-01,2023-02-01,,5,Paris|Lyon", check.Accept, "", ""},
		{projets, "13,1,Audit,audit,termine,2023-01-01,2023-02-01,,5,Lyon|Paris", check.Ignore, rules.DuplicateRow, ""}, // same sites, other order
		{affectations, "100,12,1,consultant,Nantes,2023-01-02,,", check.Reject, rules.UnknownReference, "id_intervenant 1 not found"},
	}
	for i, s := range steps {
		res := c.Check(s.e, i+1, split(s.row))
		if res.Outcome != s.outcome || (s.code != "" && !res.Has(s.code)) {
			t.Fatalf("step %d %s: %v %v, want %v %s", i+1, s.row, res.Outcome, res.Violations, s.outcome, s.code)
		}
		if s.detail != "" && !strings.Contains(res.Violations[0].Detail+res.Violations[len(res.Violations)-1].Detail, s.detail) {
			t.Errorf("step %d: detail %q, want %q", i+1, res.Violations, s.detail)
		}
	}
}

func TestPreloadAndForget(t *testing.T) {
	d := domain.Clevity()
	clients, projets := d.Entity("clients"), d.Entity("projets")
	c := check.New(d, today)
	c.Preload(clients, []string{"1", "Dupont", "", "a@x.fr", "", "", ""})
	if res := c.Check(clients, 2, split("1,Dupont,,a@x.fr,,,")); res.Outcome != check.Ignore || !res.Has(rules.AlreadyLoaded) {
		t.Errorf("preloaded row: %v %v, want ALREADY_LOADED", res.Outcome, res.Violations)
	}
	if res := c.Check(clients, 3, split("1,Dupont,,b@x.fr,,,")); !res.Has(rules.DuplicateKeyConflict) || !strings.Contains(res.Violations[0].Detail, "in the database") {
		t.Errorf("changed preloaded row: %v", res.Violations)
	}
	res := c.Check(clients, 4, split("2,Martin,,m@x.fr,,,"))
	if res.Outcome != check.Accept {
		t.Fatal(res.Violations)
	}
	c.Forget(clients, "", res.Canonical, 4) // the database refused it after all
	if res := c.Check(projets, 5, split("10,2,Audit,audit,planifie,2027-01-01,,,,")); !res.Has(rules.UnknownReference) {
		t.Errorf("child of a forgotten row: %v", res.Violations)
	}
	if res := c.Check(clients, 6, split("3,Autre,,m@x.fr,,,")); res.Outcome != check.Accept {
		t.Errorf("e-mail of a forgotten row should be free: %v", res.Violations)
	}
}

func BenchmarkCheck(b *testing.B) {
	d := domain.Clevity()
	projets, affectations := d.Entity("projets"), d.Entity("affectations")
	c := check.New(d, today)
	c.Preload(d.Entity("clients"), []string{"1", "Dupont", "", "a@x.fr", "", "", ""})
	c.Preload(d.Entity("intervenants"), []string{"1", "Martin", "Léa", "l@x.fr", "Lyon", "", ""})
	for p := 1; p <= 1000; p++ {
		c.Check(projets, p, split(strconv.Itoa(p)+",1,Audit,audit,termine,2023-01-01,2023-12-31,12 500;50,4,Lyon|Paris"))
	}
	b.ResetTimer()
	for i := range b.N {
		c.Check(affectations, i, []string{strconv.Itoa(i + 1), strconv.Itoa(i%1000 + 1), "1", "Consultant", "Lyon", "2023-02-01", "02/03/2023", "2,5"})
	}
}
