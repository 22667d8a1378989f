package main

import (
	"flag"
	"path/filepath"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from what the programs write (go test -run Golden -update)")

// TestGoldenClevity: validate's text report and JSON, line by line, compared with
// testdata/golden/clevity (masked: progtest.Masker): a migrated clevity sample is
// damaged behind the toolkit's back (constraints off, fingerprints not recomputed), so
// that checks of every kind pass, warn and fail with their samples; then a column is
// dropped, so that checks could not run.
func TestGoldenClevity(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	base := t.TempDir()
	g := &progtest.Golden{Dir: filepath.Join("testdata", "golden", "clevity"), Update: *update, Mask: progtest.NewMasker(dsn, base)}
	in, out := filepath.Join(base, "in"), filepath.Join(base, "out")
	g.Program(t, "0-generate_data", 0, "generate_data", "-seed", "7", "-today", "2026-11-15", "-clients", "20",
		"-intervenants", "8", "-projets", "30", "-affectations", "80", "-out", in)
	g.Program(t, "1-migration", 0, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", filepath.Join(base, "migration"), in)
	g.Program(t, "2-validate-clean", 0, "validate", "-dsn", dsn, "-today", "2026-11-15", "-source", in,
		"-out", filepath.Join(out, "clean"), "-json", filepath.Join(out, "clean", "validation.json"))
	damage(t, dsn,
		"UPDATE clients SET email = UPPER(email) WHERE id_client = 2",
		"UPDATE clients SET date_creation = '2027-01-01' WHERE id_client = 7",
		"UPDATE clients c JOIN clients x ON x.id_client = 1 SET c.nom = x.nom, c.ville = UPPER(x.ville) WHERE c.id_client = 3",
		"UPDATE projets SET id_client = 88888 WHERE id_projet = 1",
		"UPDATE affectations SET jours = -1 WHERE id_affectation = 3",
		"DELETE FROM affectations WHERE id_affectation = 4",
		"UPDATE intervenants SET run_id = 'ghost' WHERE id_intervenant = 3")
	g.Program(t, "3-validate-damaged", 1, "validate", "-dsn", dsn, "-today", "2026-11-15", "-source", in,
		"-out", filepath.Join(out, "damaged"), "-json", filepath.Join(out, "damaged", "validation.json"))
	// A column dropped: the checks that read it could not run (ERROR, exit 2), and those
	// that failed are still named.
	if _, err := openDB(t, dsn).Exec("ALTER TABLE intervenants DROP COLUMN email"); err != nil {
		t.Fatal(err)
	}
	g.Program(t, "4-validate-could-not-run", 2, "validate", "-dsn", dsn, "-today", "2026-11-15",
		"-out", filepath.Join(out, "could-not-run"), "-json", filepath.Join(out, "could-not-run", "validation.json"))
	g.Tree(t, "out", out)
}

// TestGoldenDistributech: the same for a migrated distributech sample (stock checks,
// history tables), compared with testdata/golden/distributech.
func TestGoldenDistributech(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	base := t.TempDir()
	g := &progtest.Golden{Dir: filepath.Join("testdata", "golden", "distributech"), Update: *update, Mask: progtest.NewMasker(dsn, base)}
	in, out := filepath.Join(base, "in"), filepath.Join(base, "out")
	g.Program(t, "0-generate_data", 0, "generate_data", "-domain", "distributech", "-seed", "3", "-today", "2026-11-15",
		"-regions", "2", "-revendeurs", "4", "-produits", "12", "-weeks", "2", "-defects", "0.15", "-out", in)
	g.Program(t, "1-migration", 1, "migration", "-domain", "distributech", "-dsn", dsn, "-today", "2026-11-15",
		"-out", filepath.Join(base, "migration"), in)
	g.Program(t, "2-validate", 0, "validate", "-domain", "distributech", "-dsn", dsn, "-today", "2026-11-15",
		"-out", out, "-json", filepath.Join(out, "validation.json"))
	g.Tree(t, "out", out)
}

// damage runs each statement on the database dsn names with foreign keys and CHECK
// constraints off, and fails when one changes no row.
func damage(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	db := openDB(t, dsn)
	db.SetMaxOpenConns(1) // the session settings hold for every statement
	for _, stmt := range append([]string{"SET SESSION foreign_key_checks = 0", "SET SESSION check_constraint_checks = 0"}, stmts...) {
		r, err := db.Exec(stmt)
		if err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		if n, _ := r.RowsAffected(); n == 0 && stmt[:3] != "SET" {
			t.Fatalf("%s changed nothing", stmt)
		}
	}
}
