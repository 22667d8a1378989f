package rules_test

import (
	"errors"
	"testing"
	"unicode/utf8"

	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// FuzzRepair: reprise's repairs, on any value of any field of both domains, never
// panic; a repair that cannot choose says so (ErrAmbiguous) and repairs nothing; and one
// that repairs gives a value whose repair is done: repairing it again changes nothing
// more, or finds nothing to do. (Whether the repaired value is accepted is
// check.Repair's to decide: it keeps a repair only when Normalize then accepts it.)
func FuzzRepair(f *testing.F) {
	for _, s := range []string{"2023.01.05", "01/25/2023", "5 mars 2023", "05-mars-2023", "1er janvier 2020", "consultnt",
		"Chef Projet", "1 250,50 €", "12,500", "€ 12", "1 000", "a@b..fr", "mailto:A@B.FR", "a@b.fr\u200b", "Lyon, Paris",
		"Lyon/Paris;Nice", "\ufeffDupont", "31/02/2023", "12/13/2023", "0x10"} {
		f.Add(s)
	}
	var fields []*rules.Field
	for _, name := range domain.Names() {
		for _, e := range domain.ByName(name).Entities {
			for i := range e.Fields {
				fields = append(fields, &e.Fields[i])
			}
		}
	}
	today := model.Date{Year: 9999, Month: 12, Day: 31}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // the CSV reader hands the rules UTF-8 only
		}
		for _, fd := range fields {
			fixed, rule, ok, err := fd.Repair(s)
			if err != nil {
				if !errors.Is(err, rules.ErrAmbiguous) || ok {
					t.Fatalf("%s.Repair(%q) = %q, %v, %v", fd.Name, s, fixed, ok, err)
				}
				continue
			}
			if !ok {
				continue
			}
			if _, v := fd.Normalize(fixed, today); v != nil {
				continue // check.Repair drops it
			}
			if again, rule2, ok2, err2 := fd.Repair(fixed); err2 != nil || ok2 && again != fixed {
				t.Fatalf("%s.Repair(%q) = %q by %s, repaired again to %q by %s (%v)", fd.Name, s, fixed, rule, again, rule2, err2)
			}
		}
	})
}
