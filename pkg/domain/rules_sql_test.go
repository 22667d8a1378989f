package domain_test

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// ruleCase is one row in canonical form (as stored) with the codes every form of the
// rules must find in it: "" for a valid row. Parent overrides the project an
// affectation points to.
type ruleCase struct {
	name   string
	entity string
	set    map[string]string
	parent map[string]string
	want   []rules.Code
}

var base = map[string]map[string]string{
	"clients": {"id_client": "1", "nom": "Dupont SA", "secteur": "Industrie", "email": "contact@dupont.fr",
		"telephone": "04 72 00 00 00", "ville": "Lyon", "date_creation": "2020-01-15"},
	"intervenants": {"id_intervenant": "1", "nom": "Martin", "prenom": "Léa", "email": "lea.martin@clevity.fr",
		"agence": "Lyon", "specialite": "Réseaux", "date_embauche": "2019-03-01"},
	"projets": {"id_projet": "1", "id_client": "1", "titre": "Audit réseau", "type_prestation": "audit", "statut": "termine",
		"date_debut": "2023-01-10", "date_fin": "2023-03-31", "budget": "12500.50", "note_satisfaction": "4", "sites": "Lyon|Paris"},
	"affectations": {"id_affectation": "1", "id_projet": "1", "id_intervenant": "1", "role": "consultant", "site": "Lyon",
		"date_debut": "2023-01-10", "date_fin": "2023-02-28", "jours": "12.5"},

	"regions":    {"id_region": "1", "nom": "Auvergne-Rhône-Alpes"},
	"revendeurs": {"id_revendeur": "1", "nom": "Ordi Lyon", "id_region": "1", "email": "contact@ordilyon.fr", "ville": "Lyon"},
	"produits":   {"ref_produit": "P-001", "nom": "Clavier AZERTY", "categorie": "Périphériques", "prix_unitaire": "19.90", "seuil_alerte": "10"},
	"stock":      {"ref_produit": "P-001", "quantite": "25", "date_inventaire": "2024-01-05"},
	"receptions": {"id_reception": "1", "ref_produit": "P-001", "quantite": "10", "date_reception": "2024-01-12"},
	"lignes_commande": {"numero_commande": "C-0001", "id_revendeur": "1", "date_commande": "2024-01-20", "ref_produit": "P-001",
		"quantite": "2", "prix_unitaire": "19.90"},
}

var ruleCases = []ruleCase{
	{name: "valid client", entity: "clients"},
	{name: "client optional empty", entity: "clients", set: map[string]string{"secteur": "", "telephone": "", "ville": "", "date_creation": ""}},
	{name: "id zero", entity: "clients", set: map[string]string{"id_client": "0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "id negative", entity: "clients", set: map[string]string{"id_client": "-4"}, want: []rules.Code{rules.OutOfRange}},
	{name: "nom missing", entity: "clients", set: map[string]string{"nom": ""}, want: []rules.Code{rules.MissingRequired}},
	// Stored by other means: white space that CleanText trims (no-break, ideographic) is no value.
	{name: "nom of no-break spaces", entity: "clients", set: map[string]string{"nom": "\u00a0\u3000"}, want: []rules.Code{rules.MissingRequired}},
	{name: "nom 150", entity: "clients", set: map[string]string{"nom": strings.Repeat("é", 150)}},
	{name: "nom 151", entity: "clients", set: map[string]string{"nom": strings.Repeat("é", 151)}, want: []rules.Code{rules.TooLong}},
	{name: "email missing", entity: "clients", set: map[string]string{"email": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "email no at", entity: "clients", set: map[string]string{"email": "contact.dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email no dot", entity: "clients", set: map[string]string{"email": "contact@dupont"}, want: []rules.Code{rules.BadEmail}},
	{name: "email two at", entity: "clients", set: map[string]string{"email": "a@b@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email space", entity: "clients", set: map[string]string{"email": "a b@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email 254", entity: "clients", set: map[string]string{"email": strings.Repeat("a", 244) + "@dupont.fr"}},
	{name: "email 255", entity: "clients", set: map[string]string{"email": strings.Repeat("a", 245) + "@dupont.fr"}, want: []rules.Code{rules.TooLong}},
	{name: "creation in future", entity: "clients", set: map[string]string{"date_creation": "2999-01-01"}, want: []rules.Code{rules.DateInFuture}},
	{name: "nom with NUL", entity: "clients", set: map[string]string{"nom": "Dupont\x00SA"}, want: []rules.Code{rules.BadText}},
	{name: "nom with zero-width space", entity: "clients", set: map[string]string{"nom": "Dupont\u200bSA"}, want: []rules.Code{rules.BadText}},
	{name: "ville with DEL", entity: "clients", set: map[string]string{"ville": "Lyon\x7f"}, want: []rules.Code{rules.BadText}},
	{name: "telephone controls", entity: "clients", set: map[string]string{"telephone": "\x01\x02"}, want: []rules.Code{rules.BadText}},
	{name: "nom with BOM", entity: "clients", set: map[string]string{"nom": "\ufeffDupont SA"}, want: []rules.Code{rules.BadText}},
	{name: "nom accented", entity: "clients", set: map[string]string{"nom": "Société Générale"}},
	// Printable ASCII passes on a byte-wise test alone; anything else (above: NUL, DEL,
	// accents, zero-width space) meets the Unicode classes.
	{name: "nom printable ASCII", entity: "clients", set: map[string]string{"nom": "Dupont & Fils ~ (SA) {1}"}},
	{name: "email zero-width", entity: "clients", set: map[string]string{"email": "contact@dupont.fr\u200b"}, want: []rules.Code{rules.BadEmail}},
	{name: "email mailto", entity: "clients", set: map[string]string{"email": "mailto:contact@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email quote", entity: "clients", set: map[string]string{"email": "a30\"x@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email apostrophe", entity: "clients", set: map[string]string{"email": "o'neil@dupont.fr"}},
	{name: "email Kelvin", entity: "clients", set: map[string]string{"email": "\u212aim@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "email accented", entity: "clients", set: map[string]string{"email": "\u00e9@dupont.fr"}, want: []rules.Code{rules.BadEmail}},
	{name: "telephone 31", entity: "clients", set: map[string]string{"telephone": strings.Repeat("0", 31)}, want: []rules.Code{rules.TooLong}},

	{name: "valid intervenant", entity: "intervenants"},
	{name: "agence missing", entity: "intervenants", set: map[string]string{"agence": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "prenom 81", entity: "intervenants", set: map[string]string{"prenom": strings.Repeat("x", 81)}, want: []rules.Code{rules.TooLong}},
	{name: "embauche future", entity: "intervenants", set: map[string]string{"date_embauche": "2999-12-31"}, want: []rules.Code{rules.DateInFuture}},

	{name: "valid projet", entity: "projets"},
	{name: "planned projet", entity: "projets", set: map[string]string{"statut": "planifie", "date_fin": "", "note_satisfaction": "", "budget": ""}},
	{name: "projet without sites", entity: "projets", set: map[string]string{"sites": ""}},
	{name: "bad type", entity: "projets", set: map[string]string{"type_prestation": "conseil"}, want: []rules.Code{rules.BadEnum}},
	{name: "bad statut", entity: "projets", set: map[string]string{"statut": "fini"}, want: []rules.Code{rules.BadEnum, rules.SatisfactionNotAllowed}},
	{name: "negative budget", entity: "projets", set: map[string]string{"budget": "-1.00"}, want: []rules.Code{rules.OutOfRange}},
	{name: "zero budget", entity: "projets", set: map[string]string{"budget": "0.00"}},
	{name: "note 0", entity: "projets", set: map[string]string{"note_satisfaction": "0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "note 6", entity: "projets", set: map[string]string{"note_satisfaction": "6"}, want: []rules.Code{rules.OutOfRange}},
	{name: "note 5", entity: "projets", set: map[string]string{"note_satisfaction": "5"}},
	{name: "end before start", entity: "projets", set: map[string]string{"date_fin": "2022-12-31"}, want: []rules.Code{rules.DateOrder}},
	{name: "end equals start", entity: "projets", set: map[string]string{"date_fin": "2023-01-10"}},
	{name: "termine without end", entity: "projets", set: map[string]string{"date_fin": ""}, want: []rules.Code{rules.EndDateRequired}},
	{name: "satisfaction en cours", entity: "projets", set: map[string]string{"statut": "en_cours"}, want: []rules.Code{rules.SatisfactionNotAllowed}},
	{name: "en cours with end", entity: "projets", set: map[string]string{"statut": "en_cours", "note_satisfaction": ""}},
	{name: "annule with satisfaction", entity: "projets", set: map[string]string{"statut": "annule", "note_satisfaction": "1"}, want: []rules.Code{rules.SatisfactionNotAllowed}},
	{name: "titre missing", entity: "projets", set: map[string]string{"titre": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "date_debut missing", entity: "projets", set: map[string]string{"date_debut": ""}, want: []rules.Code{rules.MissingRequired}},

	{name: "valid affectation", entity: "affectations"},
	{name: "bad role", entity: "affectations", set: map[string]string{"role": "stagiaire"}, want: []rules.Code{rules.BadEnum}},
	{name: "jours zero", entity: "affectations", set: map[string]string{"jours": "0.0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "jours negative", entity: "affectations", set: map[string]string{"jours": "-2.0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "affectation end before start", entity: "affectations", set: map[string]string{"date_fin": "2023-01-09"},
		want: []rules.Code{rules.DateOrder}},
	{name: "starts before project", entity: "affectations", set: map[string]string{"date_debut": "2023-01-09"}, want: []rules.Code{rules.OutsideProjectDates}},
	{name: "starts after project end", entity: "affectations", set: map[string]string{"date_debut": "2023-04-01", "date_fin": ""}, want: []rules.Code{rules.OutsideProjectDates}},
	{name: "ends after project", entity: "affectations", set: map[string]string{"date_fin": "2023-04-01"}, want: []rules.Code{rules.OutsideProjectDates}},
	{name: "open end, open project", entity: "affectations", set: map[string]string{"date_fin": ""},
		parent: map[string]string{"statut": "en_cours", "date_fin": "", "note_satisfaction": ""}},
	{name: "late end, open project", entity: "affectations", set: map[string]string{"date_fin": "2030-01-01"},
		parent: map[string]string{"statut": "en_cours", "date_fin": "", "note_satisfaction": ""}},
	{name: "site not in project", entity: "affectations", set: map[string]string{"site": "Nantes"}, want: []rules.Code{rules.SiteNotInProject}},
	{name: "site other case", entity: "affectations", set: map[string]string{"site": "lyon"}, want: []rules.Code{rules.SiteNotInProject}},
	{name: "any site, project without sites", entity: "affectations", set: map[string]string{"site": "Nantes"}, parent: map[string]string{"sites": ""}},
	{name: "no site", entity: "affectations", set: map[string]string{"site": ""}},

	// distributech: its rules are all field rules.
	{name: "valid region", entity: "regions"},
	{name: "region id zero", entity: "regions", set: map[string]string{"id_region": "0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "region id max int", entity: "regions", set: map[string]string{"id_region": "2147483647"}},
	{name: "region nom missing", entity: "regions", set: map[string]string{"nom": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "region nom 80", entity: "regions", set: map[string]string{"nom": strings.Repeat("é", 80)}},
	{name: "region nom 81", entity: "regions", set: map[string]string{"nom": strings.Repeat("é", 81)}, want: []rules.Code{rules.TooLong}},

	{name: "valid revendeur", entity: "revendeurs"},
	{name: "revendeur ville empty", entity: "revendeurs", set: map[string]string{"ville": ""}},
	{name: "revendeur id negative", entity: "revendeurs", set: map[string]string{"id_revendeur": "-1"}, want: []rules.Code{rules.OutOfRange}},
	{name: "revendeur region zero", entity: "revendeurs", set: map[string]string{"id_region": "0"}}, // an orphan, not a range error
	{name: "revendeur region negative", entity: "revendeurs", set: map[string]string{"id_region": "-7"}},
	{name: "revendeur region missing", entity: "revendeurs", set: map[string]string{"id_region": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "revendeur nom 151", entity: "revendeurs", set: map[string]string{"nom": strings.Repeat("x", 151)}, want: []rules.Code{rules.TooLong}},
	{name: "revendeur nom zero-width", entity: "revendeurs", set: map[string]string{"nom": "Ordi\u200bLyon"}, want: []rules.Code{rules.BadText}},
	{name: "revendeur email missing", entity: "revendeurs", set: map[string]string{"email": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "revendeur email no domain", entity: "revendeurs", set: map[string]string{"email": "contact@"}, want: []rules.Code{rules.BadEmail}},
	{name: "revendeur email 255", entity: "revendeurs", set: map[string]string{"email": strings.Repeat("a", 243) + "@ordilyon.fr"}, want: []rules.Code{rules.TooLong}},
	{name: "revendeur ville 81", entity: "revendeurs", set: map[string]string{"ville": strings.Repeat("v", 81)}, want: []rules.Code{rules.TooLong}},
	{name: "revendeur ville with ESC", entity: "revendeurs", set: map[string]string{"ville": "Ly\x1bon"}, want: []rules.Code{rules.BadText}},

	{name: "valid produit", entity: "produits"},
	{name: "produit ref missing", entity: "produits", set: map[string]string{"ref_produit": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "produit ref 40", entity: "produits", set: map[string]string{"ref_produit": strings.Repeat("R", 40)}},
	{name: "produit ref 41", entity: "produits", set: map[string]string{"ref_produit": strings.Repeat("R", 41)}, want: []rules.Code{rules.TooLong}},
	{name: "produit nom 201", entity: "produits", set: map[string]string{"nom": strings.Repeat("n", 201)}, want: []rules.Code{rules.TooLong}},
	{name: "produit categorie missing", entity: "produits", set: map[string]string{"categorie": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "produit categorie NUL", entity: "produits", set: map[string]string{"categorie": "Clav\x00iers"}, want: []rules.Code{rules.BadText}},
	{name: "produit free", entity: "produits", set: map[string]string{"prix_unitaire": "0.00"}},
	{name: "produit price negative", entity: "produits", set: map[string]string{"prix_unitaire": "-0.01"}, want: []rules.Code{rules.OutOfRange}},
	{name: "produit price missing", entity: "produits", set: map[string]string{"prix_unitaire": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "produit threshold zero", entity: "produits", set: map[string]string{"seuil_alerte": "0"}},
	{name: "produit threshold negative", entity: "produits", set: map[string]string{"seuil_alerte": "-1"}, want: []rules.Code{rules.OutOfRange}},
	{name: "produit threshold missing", entity: "produits", set: map[string]string{"seuil_alerte": ""}, want: []rules.Code{rules.MissingRequired}},

	{name: "valid stock", entity: "stock"},
	{name: "stock zero", entity: "stock", set: map[string]string{"quantite": "0"}},
	{name: "stock negative", entity: "stock", set: map[string]string{"quantite": "-1"}, want: []rules.Code{rules.OutOfRange}},
	{name: "stock quantite missing", entity: "stock", set: map[string]string{"quantite": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "stock date missing", entity: "stock", set: map[string]string{"date_inventaire": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "stock date in future", entity: "stock", set: map[string]string{"date_inventaire": "2999-01-01"}, want: []rules.Code{rules.DateInFuture}},

	{name: "valid reception", entity: "receptions"},
	{name: "reception id zero", entity: "receptions", set: map[string]string{"id_reception": "0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "reception quantite zero", entity: "receptions", set: map[string]string{"quantite": "0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "reception quantite one", entity: "receptions", set: map[string]string{"quantite": "1"}},
	{name: "reception ref missing", entity: "receptions", set: map[string]string{"ref_produit": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "reception date in future", entity: "receptions", set: map[string]string{"date_reception": "2999-12-31"}, want: []rules.Code{rules.DateInFuture}},

	{name: "valid ligne", entity: "lignes_commande"},
	{name: "ligne numero missing", entity: "lignes_commande", set: map[string]string{"numero_commande": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "ligne numero 41", entity: "lignes_commande", set: map[string]string{"numero_commande": strings.Repeat("C", 41)}, want: []rules.Code{rules.TooLong}},
	{name: "ligne numero with BOM", entity: "lignes_commande", set: map[string]string{"numero_commande": "\ufeffC-0001"}, want: []rules.Code{rules.BadText}},
	{name: "ligne revendeur missing", entity: "lignes_commande", set: map[string]string{"id_revendeur": ""}, want: []rules.Code{rules.MissingRequired}},
	{name: "ligne quantite zero", entity: "lignes_commande", set: map[string]string{"quantite": "0"}, want: []rules.Code{rules.OutOfRange}},
	{name: "ligne quantite negative", entity: "lignes_commande", set: map[string]string{"quantite": "-3"}, want: []rules.Code{rules.OutOfRange}},
	{name: "ligne quantite max int", entity: "lignes_commande", set: map[string]string{"quantite": "2147483647"}},
	{name: "ligne price negative", entity: "lignes_commande", set: map[string]string{"prix_unitaire": "-1.00"}, want: []rules.Code{rules.OutOfRange}},
	{name: "ligne date in future", entity: "lignes_commande", set: map[string]string{"date_commande": "2999-01-01"}, want: []rules.Code{rules.DateInFuture}},
	{name: "ligne date missing", entity: "lignes_commande", set: map[string]string{"date_commande": ""}, want: []rules.Code{rules.MissingRequired}},

	// Every other field rule, broken once (TestRuleCasesCoverEveryRule wants them all).
	breaks("clients", "id_client", "", rules.MissingRequired),
	breaks("clients", "secteur", "Indus\x01trie", rules.BadText),
	breaks("clients", "secteur", overLong("clients", "secteur"), rules.TooLong),
	breaks("clients", "ville", overLong("clients", "ville"), rules.TooLong),
	breaks("intervenants", "id_intervenant", "", rules.MissingRequired),
	breaks("intervenants", "id_intervenant", "0", rules.OutOfRange),
	breaks("intervenants", "nom", "", rules.MissingRequired),
	breaks("intervenants", "nom", "Mar\u200btin", rules.BadText),
	breaks("intervenants", "nom", overLong("intervenants", "nom"), rules.TooLong),
	breaks("intervenants", "prenom", "", rules.MissingRequired),
	breaks("intervenants", "prenom", "L\x7fa", rules.BadText),
	breaks("intervenants", "email", "", rules.MissingRequired),
	breaks("intervenants", "email", "lea.martin@clevity", rules.BadEmail),
	breaks("intervenants", "email", strings.Repeat("l", 244)+"@clevity.fr", rules.TooLong),
	breaks("intervenants", "agence", "Ly\x00on", rules.BadText),
	breaks("intervenants", "agence", overLong("intervenants", "agence"), rules.TooLong),
	breaks("intervenants", "specialite", "\ufeffRéseaux", rules.BadText),
	breaks("intervenants", "specialite", overLong("intervenants", "specialite"), rules.TooLong),
	breaks("projets", "id_projet", "", rules.MissingRequired),
	breaks("projets", "id_projet", "0", rules.OutOfRange),
	breaks("projets", "id_client", "", rules.MissingRequired),
	breaks("projets", "titre", "Audit\x02", rules.BadText),
	breaks("projets", "titre", overLong("projets", "titre"), rules.TooLong),
	breaks("projets", "type_prestation", "", rules.MissingRequired),
	breaks("projets", "statut", "", rules.MissingRequired, rules.SatisfactionNotAllowed), // a score needs termine
	breaks("affectations", "id_affectation", "", rules.MissingRequired),
	breaks("affectations", "id_affectation", "0", rules.OutOfRange),
	breaks("affectations", "id_projet", "", rules.MissingRequired), // no project: its rules are not judged
	breaks("affectations", "id_intervenant", "", rules.MissingRequired),
	breaks("affectations", "role", "", rules.MissingRequired),
	breaks("affectations", "site", "Ly\x03on", rules.BadText, rules.SiteNotInProject),
	breaks("affectations", "site", overLong("affectations", "site"), rules.TooLong, rules.SiteNotInProject),
	breaks("affectations", "date_debut", "", rules.MissingRequired),
	breaks("regions", "id_region", "", rules.MissingRequired),
	breaks("regions", "nom", "Bretagne\u00ad", rules.BadText),
	breaks("revendeurs", "id_revendeur", "", rules.MissingRequired),
	breaks("revendeurs", "nom", "", rules.MissingRequired),
	breaks("produits", "ref_produit", "P-\x01", rules.BadText),
	breaks("produits", "nom", "", rules.MissingRequired),
	breaks("produits", "nom", "Clavier\u200b", rules.BadText),
	breaks("produits", "categorie", overLong("produits", "categorie"), rules.TooLong),
	breaks("stock", "ref_produit", "", rules.MissingRequired),
	breaks("stock", "ref_produit", "P\x00", rules.BadText),
	breaks("stock", "ref_produit", overLong("stock", "ref_produit"), rules.TooLong),
	breaks("receptions", "id_reception", "", rules.MissingRequired),
	breaks("receptions", "ref_produit", "\ufeffP-001", rules.BadText),
	breaks("receptions", "ref_produit", overLong("receptions", "ref_produit"), rules.TooLong),
	breaks("receptions", "quantite", "", rules.MissingRequired),
	breaks("receptions", "date_reception", "", rules.MissingRequired),
	breaks("lignes_commande", "ref_produit", "", rules.MissingRequired),
	breaks("lignes_commande", "ref_produit", "P-001\x1f", rules.BadText),
	breaks("lignes_commande", "ref_produit", overLong("lignes_commande", "ref_produit"), rules.TooLong),
	breaks("lignes_commande", "quantite", "", rules.MissingRequired),
	breaks("lignes_commande", "prix_unitaire", "", rules.MissingRequired),
}

// breaks is the case of a valid row of entity whose field holds value, and the codes
// every form must find in it.
func breaks(entity, field, value string, want ...rules.Code) ruleCase {
	return ruleCase{name: entity + "." + field + " " + string(want[0]), entity: entity, set: map[string]string{field: value}, want: want}
}

// overLong is a text one character longer than the field allows.
func overLong(name, field string) string {
	e := entity(name)
	return strings.Repeat("x", e.Fields[e.Index(field)].MaxLen+1)
}

// domains are those the case table covers; their entity names do not collide.
var domains = []*domain.Domain{domain.Clevity(), domain.Distributech()}

// entity returns the entity named name in domains.
func entity(name string) *domain.Entity {
	for _, d := range domains {
		if e := d.Entity(name); e != nil {
			return e
		}
	}
	panic("no entity " + name)
}

// row gives rules a map of canonical values.
type row map[string]string

func (r row) Get(col string) string { return r[col] }

func caseRow(c ruleCase, id int) row {
	r := row{}
	for k, v := range base[c.entity] {
		r[k] = v
	}
	for k, v := range c.set {
		r[k] = v
	}
	if _, ok := c.set["id_projet"]; c.entity == "affectations" && !ok {
		r["id_projet"] = strconv.Itoa(1000 + id)
	}
	r["_case"] = strconv.Itoa(id)
	if key := entity(c.entity).KeyColumn(); key != "" {
		if _, ok := c.set[key]; !ok {
			r[key] = strconv.Itoa(id)
		}
	}
	return r
}

func parentRow(c ruleCase, id int) row {
	r := row{}
	for k, v := range base["projets"] {
		r[k] = v
	}
	for k, v := range c.parent {
		r[k] = v
	}
	r["id_projet"] = strconv.Itoa(1000 + id)
	r["_case"] = "0"
	return r
}

// goVerdict judges a canonical row with the Go form of every rule.
func goVerdict(e *domain.Entity, r, parent row, today model.Date) []rules.Code {
	var codes []rules.Code
	add := func(v *rules.Violation) {
		if v != nil && !slices.Contains(codes, v.Code) {
			codes = append(codes, v.Code)
		}
	}
	for i := range e.Fields {
		f := &e.Fields[i]
		canon, v := f.Normalize(r[f.Name], today)
		add(v)
		if v == nil && canon != r[f.Name] {
			add(&rules.Violation{Code: "NOT_CANONICAL:" + rules.Code(f.Name)})
		}
	}
	for _, rr := range e.RowRules {
		add(rr.Check(r))
	}
	for _, pc := range e.ParentRules {
		if r[pc.Ref.Column] != "" { // no parent, nothing to judge against
			add(pc.Rule.Check(r, parent))
		}
	}
	return codes
}

func sqlType(f rules.Field) string {
	switch f.Kind {
	case rules.Integer:
		return "BIGINT"
	case rules.Decimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", f.Precision+2, f.Scale)
	case rules.Date:
		return "DATE"
	}
	return "VARCHAR(1000)"
}

// TestRulesGoAndSQLAgree runs every case through the Go form of the rules and through
// their SQL form over tables without constraints, and wants the same codes from both.
func TestRulesGoAndSQLAgree(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("mysql", mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, d := range domains {
		for _, e := range d.Entities {
			cols := []string{"_case BIGINT NULL"}
			for _, f := range e.Fields {
				if f.Kind != rules.List {
					cols = append(cols, "`"+f.Name+"` "+sqlType(f)+" NULL")
				}
			}
			mustExec(t, db, "CREATE TABLE `"+e.Name+"` ("+strings.Join(cols, ", ")+") CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
		}
	}
	mustExec(t, db, "CREATE TABLE projet_sites (id_projet BIGINT, site VARCHAR(1000)) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")

	insert := func(e *domain.Entity, r row) {
		names, marks, args := []string{"_case"}, []string{"?"}, []any{r["_case"]}
		for _, f := range e.Fields {
			if f.Kind == rules.List {
				for _, s := range rules.SplitList(r[f.Name]) {
					mustExec(t, db, "INSERT INTO projet_sites VALUES (?, ?)", null(r["id_projet"]), s)
				}
				continue
			}
			names, marks = append(names, "`"+f.Name+"`"), append(marks, "?")
			args = append(args, null(r[f.Name]))
		}
		mustExec(t, db, "INSERT INTO `"+e.Name+"` ("+strings.Join(names, ",")+") VALUES ("+strings.Join(marks, ",")+")", args...)
	}

	today := model.NewDate(time.Now())
	for i, c := range ruleCases {
		id := i + 1
		e := entity(c.entity)
		r, p := caseRow(c, id), parentRow(c, id)
		insert(e, r)
		if c.entity == "affectations" {
			insert(entity("projets"), p)
		}
		t.Run(c.name, func(t *testing.T) {
			want := slices.Clone(c.want)
			slices.Sort(want)
			gotGo := goVerdict(e, r, p, today)
			slices.Sort(gotGo)
			if !slices.Equal(gotGo, want) {
				t.Errorf("Go form: %v, want %v", gotGo, want)
			}
			gotSQL := sqlVerdict(t, db, e, id, today)
			slices.Sort(gotSQL)
			if !slices.Equal(gotSQL, want) {
				t.Errorf("SQL form: %v, want %v", gotSQL, want)
			}
		})
	}
}

// sqlVerdict evaluates the SQL form of every rule of e on the row with key id.
func sqlVerdict(t *testing.T, db *sql.DB, e *domain.Entity, id int, today model.Date) []rules.Code {
	t.Helper()
	var codes []rules.Code
	try := func(code rules.Code, from, pred string) {
		var bad bool
		q := "SELECT NOT COALESCE((" + pred + "), FALSE) FROM " + from + " WHERE c._case = ?"
		err := db.QueryRow(q, id).Scan(&bad)
		if errors.Is(err, sql.ErrNoRows) {
			return // a parent rule of a row without parent: not judged
		}
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if bad && !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	self := "`" + e.Name + "` c"
	for i := range e.Fields {
		for _, chk := range e.Fields[i].SQL("c.`"+e.Fields[i].Name+"`", today) {
			try(chk.Code, self, chk.Valid)
		}
	}
	for _, rr := range e.RowRules {
		try(rr.Code, self, rr.SQL)
	}
	for _, pc := range e.ParentRules {
		parent := "`" + pc.Ref.Parent + "` p"
		pkey := "p.`" + domainKey(pc.Ref.Parent) + "`"
		try(pc.Rule.Code, self+" JOIN "+parent+" ON "+pkey+" = c.`"+pc.Ref.Column+"` "+pc.Rule.Join, pc.Rule.SQL)
	}
	return codes
}

func domainKey(name string) string { return entity(name).KeyColumn() }

// null is the SQL value of a canonical value: NULL for "".
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestRuleCasesCoverEveryRule wants, for every field rule of every domain the table
// covers, a case that breaks it (sets the field and wants the rule's code), and one for
// every row and parent rule: a rule added without cases fails here.
func TestRuleCasesCoverEveryRule(t *testing.T) {
	broken := func(entity string, match func(ruleCase) bool) bool {
		return slices.ContainsFunc(ruleCases, func(c ruleCase) bool { return c.entity == entity && match(c) })
	}
	for _, d := range domains {
		for _, e := range d.Entities {
			for i := range e.Fields {
				f := &e.Fields[i]
				for _, chk := range f.SQL("c."+f.Name, model.Date{Year: 2026, Month: 1, Day: 1}) {
					if !broken(e.Name, func(c ruleCase) bool { _, set := c.set[f.Name]; return set && slices.Contains(c.want, chk.Code) }) {
						t.Errorf("%s.%s %s: no case breaks it", e.Name, f.Name, chk.Code)
					}
				}
			}
			for _, rr := range e.RowRules {
				if !broken(e.Name, func(c ruleCase) bool { return slices.Contains(c.want, rr.Code) }) {
					t.Errorf("%s %s: no case breaks it", e.Name, rr.Name)
				}
			}
			for _, pc := range e.ParentRules {
				if !broken(e.Name, func(c ruleCase) bool { return slices.Contains(c.want, pc.Rule.Code) }) {
					t.Errorf("%s %s: no case breaks it", e.Name, pc.Rule.Name)
				}
			}
		}
	}
}
