package mariadb_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"dmt"
	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
)

// MustOpen opens a fresh test database with the clevity schema applied.
func MustOpen(tb testing.TB) *mariadb.DB {
	tb.Helper()
	db, err := mariadb.Open(context.Background(), mariadbtest.NewDatabase(tb))
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.ApplySchema(context.Background(), "clevity", dmt.ClevitySchema); err != nil {
		tb.Fatalf("apply schema: %v", err)
	}
	return db
}

func schemaShape(t *testing.T, db *mariadb.DB) string {
	var parts []string
	err := db.Select(&parts, `SELECT CONCAT(table_name, ':', column_name, ':', column_type, ':', is_nullable)
		FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	var cons []string
	err = db.Select(&cons, `SELECT CONCAT(table_name, ':', constraint_name, ':', constraint_type)
		FROM information_schema.table_constraints WHERE constraint_schema = DATABASE() ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(parts, "\n") + "\n" + strings.Join(cons, "\n")
}

func TestApplySchemaTwice(t *testing.T) {
	db := MustOpen(t)
	before := schemaShape(t, db)
	if !strings.Contains(before, "affectations:uq_affectations_key:UNIQUE") {
		t.Fatalf("schema lacks its constraints:\n%s", before)
	}
	if err := db.ApplySchema(context.Background(), "clevity", dmt.ClevitySchema); err != nil {
		t.Fatalf("second apply: %v", err)
	}
	if after := schemaShape(t, db); after != before {
		t.Errorf("second apply changed the schema")
	}
	var n int
	if err := db.Get(&n, "SELECT COUNT(*) FROM schema_version"); err != nil || n != 1 {
		t.Errorf("schema_version rows = %d, %v, want 1", n, err)
	}
}

// constraintCase is one statement that breaks the named constraint, and the same
// statement made valid, run after the baseline rows: MariaDB must refuse the first and
// accept the second, so the case cannot pass without the constraint.
type constraintCase struct {
	constraint string
	bad, good  string
}

const baseline = `
INSERT INTO journal (run_id, tool, domain, started_at, status) VALUES ('r1', 'test', 'clevity', NOW(), 'ok');
INSERT INTO clients VALUES (1, 'Dupont SA', NULL, 'contact@dupont.fr', NULL, 'Lyon', '2020-01-01', 'r1', 'clients.csv', 2);
INSERT INTO intervenants VALUES (1, 'Martin', 'Léa', 'lea@clevity.fr', 'Lyon', NULL, NULL, 'r1', 'intervenants.csv', 2);
INSERT INTO projets VALUES (1, 1, 'Audit', 'audit', 'termine', '2023-01-01', '2023-02-01', 100.00, 4, 'r1', 'projets.csv', 2);
INSERT INTO projet_sites VALUES (1, 'Lyon', 'r1', 'projets.csv', 2);
INSERT INTO affectations VALUES (1, 1, 1, 'auditeur', 'Lyon', '2023-01-01', '2023-01-10', 2.5, 'r1', 'affectations.csv', 2)`

func client(id, nom, email string) string {
	return "INSERT INTO clients VALUES (" + id + ", " + nom + ", NULL, " + email + ", NULL, NULL, NULL, 'r1', 'f', 3)"
}

func staff(id, nom, prenom, email, agence string) string {
	return "INSERT INTO intervenants VALUES (" + id + ", " + nom + ", " + prenom + ", " + email + ", " + agence + ", NULL, NULL, 'r1', 'f', 3)"
}

func projet(id, client, titre, typ, statut, debut, fin, budget, note string) string {
	return "INSERT INTO projets VALUES (" + strings.Join([]string{id, client, titre, typ, statut, debut, fin, budget, note}, ", ") + ", 'r1', 'f', 3)"
}

func affectation(id, projet, staff, role, debut, fin, jours string) string {
	return "INSERT INTO affectations VALUES (" + strings.Join([]string{id, projet, staff, role, "NULL", debut, fin, jours}, ", ") + ", 'r1', 'f', 3)"
}

var constraintCases = []constraintCase{
	{"ck_journal_status", "INSERT INTO journal (run_id, tool, domain, started_at, status) VALUES ('r2', 't', 'c', NOW(), 'done')",
		"INSERT INTO journal (run_id, tool, domain, started_at, status) VALUES ('r2', 't', 'c', NOW(), 'failed')"},
	{"fk_journal_files_run_id", "INSERT INTO journal_files (run_id, file, entity) VALUES ('nope', 'f', 'clients')",
		"INSERT INTO journal_files (run_id, file, entity) VALUES ('r1', 'f', 'clients')"},
	{"PRIMARY clients", client("1", "'X'", "'x@y.fr'"), client("2", "'X'", "'x@y.fr'")},
	{"NOT NULL clients.nom", client("2", "NULL", "'x@y.fr'"), client("2", "'X'", "'x@y.fr'")},
	{"ck_clients_id", client("0", "'X'", "'x@y.fr'"), client("2", "'X'", "'x@y.fr'")},
	{"ck_clients_nom_filled", client("2", "''", "'x@y.fr'"), client("2", "'X'", "'x@y.fr'")},
	{"ck_clients_nom_filled untrimmed", client("2", "' X'", "'x@y.fr'"), client("2", "'X'", "'x@y.fr'")},
	{"ck_clients_email_form", client("2", "'X'", "'X@Y.fr'"), client("2", "'X'", "'x@y.fr'")},
	{"ck_clients_email_form no at", client("2", "'X'", "'x.y.fr'"), client("2", "'X'", "'x@y.fr'")},
	{"uq_clients_email", client("2", "'X'", "'contact@dupont.fr'"), client("2", "'X'", "'x@y.fr'")},
	{"TOO_LONG clients.nom", client("2", "REPEAT('a', 151)", "'x@y.fr'"), client("2", "REPEAT('a', 150)", "'x@y.fr'")},
	{"PRIMARY intervenants", staff("1", "'A'", "'B'", "'b@c.fr'", "'Lyon'"), staff("2", "'A'", "'B'", "'b@c.fr'", "'Lyon'")},
	{"ck_intervenants_id", staff("-1", "'A'", "'B'", "'b@c.fr'", "'Lyon'"), staff("2", "'A'", "'B'", "'b@c.fr'", "'Lyon'")},
	{"ck_intervenants_nom_filled", staff("2", "''", "'B'", "'b@c.fr'", "'Lyon'"), staff("2", "'A'", "'B'", "'b@c.fr'", "'Lyon'")},
	{"ck_intervenants_prenom_filled", staff("2", "'A'", "''", "'b@c.fr'", "'Lyon'"), staff("2", "'A'", "'B'", "'b@c.fr'", "'Lyon'")},
	{"ck_intervenants_agence_filled", staff("2", "'A'", "'B'", "'b@c.fr'", "''"), staff("2", "'A'", "'B'", "'b@c.fr'", "'Lyon'")},
	{"NOT NULL intervenants.agence", staff("2", "'A'", "'B'", "'b@c.fr'", "NULL"), staff("2", "'A'", "'B'", "'b@c.fr'", "'Lyon'")},
	{"ck_intervenants_email_form", staff("2", "'A'", "'B'", "' b@c.fr'", "'Lyon'"), staff("2", "'A'", "'B'", "'b@c.fr'", "'Lyon'")},
	{"uq_intervenants_email", staff("2", "'A'", "'B'", "'lea@clevity.fr'", "'Lyon'"), staff("2", "'A'", "'B'", "'b@c.fr'", "'Lyon'")},
	{"PRIMARY projets", projet("1", "1", "'T'", "'audit'", "'planifie'", "'2024-01-01'", "NULL", "NULL", "NULL"),
		projet("2", "1", "'T'", "'audit'", "'planifie'", "'2024-01-01'", "NULL", "NULL", "NULL")},
	{"fk_projets_id_client", projet("2", "99", "'T'", "'audit'", "'planifie'", "'2024-01-01'", "NULL", "NULL", "NULL"),
		projet("2", "1", "'T'", "'audit'", "'planifie'", "'2024-01-01'", "NULL", "NULL", "NULL")},
	{"ck_projets_id", projet("0", "1", "'T'", "'audit'", "'planifie'", "'2024-01-01'", "NULL", "NULL", "NULL"),
		projet("2", "1", "'T'", "'audit'", "'planifie'", "'2024-01-01'", "NULL", "NULL", "NULL")},
	{"ck_projets_titre_filled", projet("2", "1", "''", "'audit'", "'planifie'", "'2024-01-01'", "NULL", "NULL", "NULL"),
		projet("2", "1", "'T'", "'audit'", "'planifie'", "'2024-01-01'", "NULL", "NULL", "NULL")},
	{"ck_projets_type_prestation", projet("2", "1", "'T'", "'conseil'", "'planifie'", "'2024-01-01'", "NULL", "NULL", "NULL"),
		projet("2", "1", "'T'", "'formation'", "'planifie'", "'2024-01-01'", "NULL", "NULL", "NULL")},
	{"ck_projets_statut", projet("2", "1", "'T'", "'audit'", "'Termine'", "'2024-01-01'", "'2024-02-01'", "NULL", "NULL"),
		projet("2", "1", "'T'", "'audit'", "'termine'", "'2024-01-01'", "'2024-02-01'", "NULL", "NULL")},
	{"ck_projets_budget", projet("2", "1", "'T'", "'audit'", "'planifie'", "'2024-01-01'", "NULL", "-0.01", "NULL"),
		projet("2", "1", "'T'", "'audit'", "'planifie'", "'2024-01-01'", "NULL", "0", "NULL")},
	{"ck_projets_note_range", projet("2", "1", "'T'", "'audit'", "'termine'", "'2024-01-01'", "'2024-02-01'", "NULL", "6"),
		projet("2", "1", "'T'", "'audit'", "'termine'", "'2024-01-01'", "'2024-02-01'", "NULL", "5")},
	{"ck_projets_date_order", projet("2", "1", "'T'", "'audit'", "'en_cours'", "'2024-01-01'", "'2023-12-31'", "NULL", "NULL"),
		projet("2", "1", "'T'", "'audit'", "'en_cours'", "'2024-01-01'", "'2024-01-01'", "NULL", "NULL")},
	{"ck_projets_end_date_required", projet("2", "1", "'T'", "'audit'", "'termine'", "'2024-01-01'", "NULL", "NULL", "NULL"),
		projet("2", "1", "'T'", "'audit'", "'termine'", "'2024-01-01'", "'2024-03-01'", "NULL", "NULL")},
	{"ck_projets_satisfaction_allowed", projet("2", "1", "'T'", "'audit'", "'en_cours'", "'2024-01-01'", "NULL", "NULL", "3"),
		projet("2", "1", "'T'", "'audit'", "'en_cours'", "'2024-01-01'", "NULL", "NULL", "NULL")},
	{"NOT NULL projets.date_debut", projet("2", "1", "'T'", "'audit'", "'planifie'", "NULL", "NULL", "NULL", "NULL"),
		projet("2", "1", "'T'", "'audit'", "'planifie'", "'2024-01-01'", "NULL", "NULL", "NULL")},
	{"STRICT bad date", projet("2", "1", "'T'", "'audit'", "'planifie'", "'2024-02-30'", "NULL", "NULL", "NULL"),
		projet("2", "1", "'T'", "'audit'", "'planifie'", "'2024-02-29'", "NULL", "NULL", "NULL")},
	{"PRIMARY projet_sites", "INSERT INTO projet_sites VALUES (1, 'Lyon', 'r1', 'f', 3)", "INSERT INTO projet_sites VALUES (1, 'Paris', 'r1', 'f', 3)"},
	{"fk_projet_sites_id_projet", "INSERT INTO projet_sites VALUES (9, 'Lyon', 'r1', 'f', 3)", "INSERT INTO projet_sites VALUES (1, 'Paris', 'r1', 'f', 3)"},
	{"ck_projet_sites_site_filled", "INSERT INTO projet_sites VALUES (1, '', 'r1', 'f', 3)", "INSERT INTO projet_sites VALUES (1, 'Paris', 'r1', 'f', 3)"},
	{"PRIMARY affectations", affectation("1", "1", "1", "'consultant'", "'2023-01-02'", "NULL", "NULL"),
		affectation("2", "1", "1", "'consultant'", "'2023-01-02'", "NULL", "NULL")},
	{"fk_affectations_id_projet", affectation("2", "7", "1", "'consultant'", "'2023-01-02'", "NULL", "NULL"),
		affectation("2", "1", "1", "'consultant'", "'2023-01-02'", "NULL", "NULL")},
	{"fk_affectations_id_intervenant", affectation("2", "1", "7", "'consultant'", "'2023-01-02'", "NULL", "NULL"),
		affectation("2", "1", "1", "'consultant'", "'2023-01-02'", "NULL", "NULL")},
	{"uq_affectations_key", affectation("2", "1", "1", "'auditeur'", "'2023-01-01'", "NULL", "NULL"),
		affectation("2", "1", "1", "'auditeur'", "'2023-01-02'", "NULL", "NULL")},
	{"ck_affectations_id", affectation("0", "1", "1", "'consultant'", "'2023-01-02'", "NULL", "NULL"),
		affectation("2", "1", "1", "'consultant'", "'2023-01-02'", "NULL", "NULL")},
	{"ck_affectations_role", affectation("2", "1", "1", "'stagiaire'", "'2023-01-02'", "NULL", "NULL"),
		affectation("2", "1", "1", "'formateur'", "'2023-01-02'", "NULL", "NULL")},
	{"ck_affectations_jours", affectation("2", "1", "1", "'consultant'", "'2023-01-02'", "NULL", "0"),
		affectation("2", "1", "1", "'consultant'", "'2023-01-02'", "NULL", "0.5")},
	{"ck_affectations_date_order", affectation("2", "1", "1", "'consultant'", "'2023-01-02'", "'2023-01-01'", "NULL"),
		affectation("2", "1", "1", "'consultant'", "'2023-01-02'", "'2023-01-02'", "NULL")},
	{"NOT NULL affectations.role", affectation("2", "1", "1", "NULL", "'2023-01-02'", "NULL", "NULL"),
		affectation("2", "1", "1", "'consultant'", "'2023-01-02'", "NULL", "NULL")},
}

// TestConstraintsRefuseViolations checks each constraint of schema.sql with plain SQL.
func TestConstraintsRefuseViolations(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	for _, c := range constraintCases {
		t.Run(c.constraint, func(t *testing.T) {
			tx, err := db.BeginTxx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			for _, stmt := range strings.Split(baseline, ";\n") {
				if _, err := tx.Exec(stmt); err != nil {
					t.Fatalf("baseline %s: %v", stmt, err)
				}
			}
			if _, err := tx.Exec("SAVEPOINT s"); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(c.bad); err == nil {
				t.Errorf("MariaDB accepted %s", c.bad)
			} else if name := strings.Fields(c.constraint)[0]; strings.HasPrefix(name, "ck_") && !strings.Contains(err.Error(), name) {
				t.Errorf("refused for another reason: %v", err)
			}
			tx.Exec("ROLLBACK TO SAVEPOINT s")
			if _, err := tx.Exec(c.good); err != nil {
				t.Errorf("MariaDB refused the valid %s: %v", c.good, err)
			}
		})
	}
}

// TestEveryConstraintHasACase fails when schema.sql names a constraint that no case of
// TestConstraintsRefuseViolations breaks.
func TestEveryConstraintHasACase(t *testing.T) {
	var tested []string
	for _, c := range constraintCases {
		tested = append(tested, strings.Fields(c.constraint)[0])
	}
	for _, m := range regexp.MustCompile(`CONSTRAINT (\w+)`).FindAllStringSubmatch(dmt.ClevitySchema, -1) {
		if !slices.Contains(tested, m[1]) {
			t.Errorf("constraint %s has no case", m[1])
		}
	}
}
