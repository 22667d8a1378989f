package mariadb_test

// The rows and cases of schema_distributech.sql for the schema tests of schema_test.go.

func historique(r row) row {
	return with(r, lineage("distributech.sqlite"), row{"valid_from": "2025-01-01", "valid_to": "2026-02-01",
		"loaded_run_id": "r0", "loaded_file": "distributech.sqlite", "loaded_line": 2})
}

var distributechBaseline = []baseRow{
	{"regions", with(row{"id_region": 1, "nom": "Bretagne"}, lineage("distributech.sqlite"))},
	{"revendeurs", with(row{"id_revendeur": 1, "nom": "Breizh Info", "id_region": 1, "email": "contact@breizh.fr",
		"ville": "Rennes"}, lineage("distributech.sqlite"))},
	{"produits", with(row{"ref_produit": "SMA-0001", "nom": "Phone", "categorie": "Smartphones", "prix_unitaire": "199.90",
		"seuil_alerte": 5}, lineage("distributech.sqlite"))},
	{"produits", with(row{"ref_produit": "SMA-0002", "nom": "Phone 2", "categorie": "Smartphones", "prix_unitaire": "299.90",
		"seuil_alerte": 5}, lineage("distributech.sqlite"))},
	{"regions_historique", historique(row{"id": 1, "id_region": 1, "nom": "Bretagne Nord"})},
	{"revendeurs_historique", historique(row{"id": 1, "id_revendeur": 1, "nom": "Breizh", "id_region": 1,
		"email": "breizh@breizh.fr", "ville": nil})},
	{"produits_historique", historique(row{"id": 1, "ref_produit": "SMA-0001", "nom": "Phone", "categorie": "Smartphones",
		"prix_unitaire": "189.90", "seuil_alerte": 5})},
	{"stock", with(row{"ref_produit": "SMA-0001", "quantite": 10, "date_inventaire": "2026-01-01"}, lineage("distributech.sqlite"))},
	{"receptions", with(row{"id_reception": 1, "ref_produit": "SMA-0001", "quantite": 5, "date_reception": "2026-01-15"},
		lineage("distributech.sqlite"))},
	{"commandes", with(row{"numero_commande": "C1", "id_revendeur": 1, "date_commande": "2026-02-10"}, lineage("commandes/c.csv"))},
	{"lignes_commande", with(row{"numero_commande": "C1", "id_revendeur": 1, "date_commande": "2026-02-10",
		"ref_produit": "SMA-0001", "quantite": 3, "prix_unitaire": "199.90"}, lineage("commandes/c.csv"))},
	{"mouvements_stock", with(row{"id": 1, "ref_produit": "SMA-0001", "date_mouvement": "2026-02-10", "type_mouvement": "commande",
		"reference": "C1", "quantite": -3}, lineage("commandes/c.csv"))},
}

var distributechFresh = map[string]row{
	"regions": with(row{"id_region": 2, "nom": "Normandie"}, lineage("distributech.sqlite")),
	"revendeurs": with(row{"id_revendeur": 2, "nom": "Normandie Tech", "id_region": 1, "email": "info@ntech.fr",
		"ville": nil}, lineage("distributech.sqlite")),
	"produits": with(row{"ref_produit": "TAB-0001", "nom": "Tablette", "categorie": "Tablettes", "prix_unitaire": "349.00",
		"seuil_alerte": 2}, lineage("distributech.sqlite")),
	"regions_historique": historique(row{"id_region": 1, "nom": "Armorique"}),
	"revendeurs_historique": historique(row{"id_revendeur": 1, "nom": "Breizh Informatique", "id_region": 1,
		"email": "info@breizh.fr", "ville": "Brest"}),
	"produits_historique": historique(row{"ref_produit": "SMA-0001", "nom": "Phone X", "categorie": "Smartphones",
		"prix_unitaire": "179.90", "seuil_alerte": 4}),
	"stock":      with(row{"ref_produit": "SMA-0002", "quantite": 4, "date_inventaire": "2026-01-01"}, lineage("distributech.sqlite")),
	"receptions": with(row{"id_reception": 2, "ref_produit": "SMA-0002", "quantite": 1, "date_reception": "2026-02-01"}, lineage("distributech.sqlite")),
	"commandes":  with(row{"numero_commande": "C2", "id_revendeur": 1, "date_commande": "2026-02-11"}, lineage("commandes/c.csv")),
	"lignes_commande": with(row{"numero_commande": "C1", "id_revendeur": 1, "date_commande": "2026-02-10",
		"ref_produit": "SMA-0002", "quantite": 1, "prix_unitaire": "299.90"}, lineage("commandes/c.csv")),
	"mouvements_stock": with(row{"ref_produit": "SMA-0001", "date_mouvement": "2026-01-15", "type_mouvement": "reception",
		"reference": "1", "quantite": 5}, lineage("distributech.sqlite")),
}

var distributechCases = []constraintCase{
	{name: "PRIMARY regions", table: "regions", bad: row{"id_region": 1}},
	{name: "ck_regions_id", table: "regions", bad: row{"id_region": 0}},
	{name: "ck_regions_nom_filled", table: "regions", bad: row{"nom": ""}},
	{name: "ck_regions_nom_filled trailing", table: "regions", bad: row{"nom": "Normandie "}},

	{name: "PRIMARY revendeurs", table: "revendeurs", bad: row{"id_revendeur": 1}},
	{name: "uq_revendeurs_email", table: "revendeurs", bad: row{"email": "contact@breizh.fr"}},
	{name: "fk_revendeurs_id_region", table: "revendeurs", bad: row{"id_region": 9}},
	{name: "ck_revendeurs_id", table: "revendeurs", bad: row{"id_revendeur": -1}},
	{name: "ck_revendeurs_nom_filled", table: "revendeurs", bad: row{"nom": " Normandie Tech"}},
	{name: "ck_revendeurs_email_form upper", table: "revendeurs", bad: row{"email": "Info@ntech.fr"}},
	{name: "ck_revendeurs_email_form no_at", table: "revendeurs", bad: row{"email": "info.ntech.fr"}},

	{name: "PRIMARY produits", table: "produits", bad: row{"ref_produit": "SMA-0001"}},
	{name: "ck_produits_ref_filled", table: "produits", bad: row{"ref_produit": ""}},
	{name: "ck_produits_ref_filled leading", table: "produits", bad: row{"ref_produit": " TAB-0001"}},
	{name: "ck_produits_nom_filled", table: "produits", bad: row{"nom": "Tablette "}},
	{name: "ck_produits_prix", table: "produits", fix: row{"prix_unitaire": "0"}, bad: row{"prix_unitaire": "-0.01"}},
	{name: "ck_produits_seuil", table: "produits", fix: row{"seuil_alerte": 0}, bad: row{"seuil_alerte": -1}},

	{name: "PRIMARY regions_historique", table: "regions_historique", bad: row{"id": 1}},
	{name: "fk_regions_historique_id_region", table: "regions_historique", bad: row{"id_region": 9}},
	{name: "ck_regions_historique_dates", table: "regions_historique", fix: row{"valid_from": "2026-02-01"}, bad: row{"valid_from": "2026-02-02"}},
	{name: "PRIMARY revendeurs_historique", table: "revendeurs_historique", bad: row{"id": 1}},
	{name: "fk_revendeurs_historique_id_revendeur", table: "revendeurs_historique", bad: row{"id_revendeur": 9}},
	{name: "ck_revendeurs_historique_dates", table: "revendeurs_historique", fix: row{"valid_from": nil}, bad: row{"valid_from": "2027-01-01"}},
	{name: "PRIMARY produits_historique", table: "produits_historique", bad: row{"id": 1}},
	{name: "fk_produits_historique_ref_produit", table: "produits_historique", bad: row{"ref_produit": "NOPE"}},
	{name: "ck_produits_historique_dates", table: "produits_historique", bad: row{"valid_to": "2024-12-31"}},

	{name: "PRIMARY stock", table: "stock", bad: row{"ref_produit": "SMA-0001"}},
	{name: "fk_stock_ref_produit", table: "stock", bad: row{"ref_produit": "NOPE"}},
	{name: "ck_stock_quantite", table: "stock", fix: row{"quantite": 0}, bad: row{"quantite": -1}},

	{name: "PRIMARY receptions", table: "receptions", bad: row{"id_reception": 1}},
	{name: "fk_receptions_ref_produit", table: "receptions", bad: row{"ref_produit": "NOPE"}},
	{name: "ck_receptions_id", table: "receptions", bad: row{"id_reception": 0}},
	{name: "ck_receptions_quantite", table: "receptions", bad: row{"quantite": 0}},

	{name: "PRIMARY commandes", table: "commandes", bad: row{"numero_commande": "C1"}},
	{name: "fk_commandes_id_revendeur", table: "commandes", bad: row{"id_revendeur": 9}},
	{name: "ck_commandes_numero_filled", table: "commandes", bad: row{"numero_commande": ""}},
	{name: "ck_commandes_numero_filled trailing", table: "commandes", bad: row{"numero_commande": "C2 "}},

	{name: "PRIMARY lignes_commande", table: "lignes_commande", bad: row{"ref_produit": "SMA-0001"}},
	{name: "fk_lignes_commande_commande date", table: "lignes_commande", bad: row{"date_commande": "2026-02-11"}},
	{name: "fk_lignes_commande_commande reseller", table: "lignes_commande", bad: row{"id_revendeur": 2}},
	{name: "fk_lignes_commande_ref_produit", table: "lignes_commande", bad: row{"ref_produit": "NOPE"}},
	{name: "ck_lignes_commande_quantite", table: "lignes_commande", bad: row{"quantite": 0}},
	{name: "ck_lignes_commande_prix", table: "lignes_commande", fix: row{"prix_unitaire": "0"}, bad: row{"prix_unitaire": "-1"}},

	{name: "PRIMARY mouvements_stock", table: "mouvements_stock", bad: row{"id": 1}},
	{name: "uq_mouvements_stock_source", table: "mouvements_stock", bad: row{"type_mouvement": "commande", "reference": "C1", "quantite": -1}},
	{name: "fk_mouvements_stock_ref_produit", table: "mouvements_stock", bad: row{"ref_produit": "NOPE"}},
	{name: "ck_mouvements_stock_type", table: "mouvements_stock", bad: row{"type_mouvement": "vente"}},
	{name: "ck_mouvements_stock_sign reception", table: "mouvements_stock", bad: row{"quantite": -5}},
	{name: "ck_mouvements_stock_sign commande", table: "mouvements_stock", fix: row{"type_mouvement": "commande", "reference": "C2", "quantite": -1},
		bad: row{"quantite": 1}},
}
