package domain_test

import (
	"testing"

	"dmt/pkg/domain"
)

// TestEntityForFile: the names the toolkit writes are understood when fed back, so that
// reprise and migration need no -entity for them.
func TestEntityForFile(t *testing.T) {
	cases := []struct {
		domain *domain.Domain
		path   string
		want   string
	}{
		{domain.Clevity(), "data_1/projets.csv", "projets"},
		{domain.Clevity(), "out/rejets/clients.csv", "clients"},
		{domain.Clevity(), "out/rejets/affectations.20260115T023000Z-abc123.csv", "affectations"},
		{domain.Clevity(), "data_1/projets_corrompus.csv", "projets"},
		{domain.Clevity(), "out/quarantaine_projets.csv", "projets"},
		{domain.Clevity(), "out/quarantaine_projets.20260115T023000Z-abc123.csv", "projets"},
		{domain.Clevity(), "Intervenants_Lyon.csv", "intervenants"},
		{domain.Clevity(), "notes.csv", ""},
		{domain.Distributech(), "stock.csv", "stock"},
		{domain.Distributech(), "out/rejets/distributech.sqlite_produits.csv", "produits"},
		{domain.Distributech(), "out/quarantaine_revendeurs.csv", "revendeurs"},
		{domain.Distributech(), "dt/commandes/commandes_2026-W45_R001.csv", "lignes_commande"},
		{domain.Distributech(), "out/rejets/commandes_2026-W45_R001.csv", "lignes_commande"},
		{domain.Distributech(), "notes.csv", ""},
	}
	for _, c := range cases {
		got := ""
		if e := c.domain.EntityForFile(c.path); e != nil {
			got = e.Name
		}
		if got != c.want {
			t.Errorf("%s.EntityForFile(%q) = %q, want %q", c.domain.Name, c.path, got, c.want)
		}
	}
}
