package check_test

import (
	"testing"

	"dmt/pkg/check"
	"dmt/pkg/domain"
	"dmt/pkg/rules"
)

// TestReferenceDataReplaces: a loaded row of an entity with a History table (a product)
// that comes back with other content replaces it; another row of the same run with that
// key and yet other content is a conflict, not a second replacement; a loaded fact (a
// stock snapshot) that comes back changed stays a conflict.
func TestReferenceDataReplaces(t *testing.T) {
	d := domain.Distributech()
	produits, stock := d.Entity("produits"), d.Entity("stock")
	c := check.New(d, today)
	c.Preload(produits, []string{"P-1", "Housse", "Accessoires", "12.50", "84"})
	c.Preload(stock, []string{"P-1", "10", "2026-11-01"})
	c.Preload(produits, []string{"P-2", "Câble", "Câbles", "9.90", "5"})
	steps := []struct {
		e       *domain.Entity
		row     string
		outcome check.Outcome
		code    rules.Code
	}{
		{produits, "P-1,Housse renommée,Accessoires,13.75,90", check.Replace, ""},
		{produits, "P-1,Housse renommée,Accessoires,13.75,90", check.Ignore, rules.DuplicateRow},
		{produits, "P-1,Autre nom,Accessoires,13.75,90", check.Reject, rules.DuplicateKeyConflict},
		{stock, "P-1,11,2026-11-01", check.Reject, rules.DuplicateKeyConflict},
		// A source read again that holds a loaded row twice, the second time with other
		// values (a defect): the second is a conflict within the source, as when it was
		// first loaded, not a change to apply.
		{produits, "P-2,Câble,Câbles,9.90,5", check.Ignore, rules.AlreadyLoaded},
		{produits, "P-2,Câble faux,Câbles,9.90,5", check.Reject, rules.DuplicateKeyConflict},
	}
	for i, s := range steps {
		res := c.Check(s.e, i+2, split(s.row))
		if res.Outcome != s.outcome || (s.code != "" && !res.Has(s.code)) {
			t.Errorf("step %d %s %s: %v %v, want %v %s", i+1, s.e.Name, s.row, res.Outcome, res.Violations, s.outcome, s.code)
		}
	}
}
