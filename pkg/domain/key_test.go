package domain_test

import (
	"testing"

	"dmt/pkg/domain"
)

// TestKeys checks what the code that reads keys relies on: every key column is a field,
// and what joins on a single key column (list tables, history tables, references) only
// exists for an entity keyed by one column.
func TestKeys(t *testing.T) {
	for _, name := range domain.Names() {
		d := domain.ByName(name)
		for _, e := range d.Entities {
			if len(e.Key) == 0 {
				t.Errorf("%s.%s has no key", name, e.Name)
			}
			for i, idx := range e.KeyIndexes() {
				if idx < 0 {
					t.Errorf("%s.%s: key column %q is not a field", name, e.Name, e.Key[i])
				}
			}
			if e.KeyColumn() == "" && (len(e.Lists) > 0 || e.History != "") {
				t.Errorf("%s.%s has a composite key (%s) and lists or a history table, which join on one column", name, e.Name, e.KeyName())
			}
			for _, ref := range e.Refs {
				if p := d.Entity(ref.Parent); p == nil || p.KeyColumn() == "" {
					t.Errorf("%s.%s.%s refers to %s, which is not an entity keyed by one column", name, e.Name, ref.Column, ref.Parent)
				}
			}
		}
	}
}

func TestCompositeKey(t *testing.T) {
	e := domain.Distributech().Entity("lignes_commande")
	if got, want := e.KeyName(), "numero_commande+ref_produit"; got != want {
		t.Errorf("KeyName() = %q, want %q", got, want)
	}
	if got := e.KeyColumn(); got != "" {
		t.Errorf("KeyColumn() = %q for a composite key, want \"\"", got)
	}
	vals := make([]string, len(e.Fields))
	vals[e.Index("numero_commande")], vals[e.Index("ref_produit")] = "CMD-1", "P-7"
	if got, want := e.KeyOf(vals), "CMD-1/P-7"; got != want {
		t.Errorf("KeyOf(...) = %q, want %q", got, want)
	}
	c := domain.Clevity().Entity("clients")
	if c.KeyName() != "id_client" || c.KeyColumn() != "id_client" {
		t.Errorf("clients: KeyName() = %q, KeyColumn() = %q, want id_client twice", c.KeyName(), c.KeyColumn())
	}
}
