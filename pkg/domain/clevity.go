package domain

import (
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// Clevity returns the clevity domain of the contract: clients, intervenants, projets
// (with their sites) and affectations, in load order.
func Clevity() *Domain {
	email := emailField()

	clients := &Entity{
		Name: "clients", File: "clients.csv", Key: []string{"id_client"},
		Fields: []rules.Field{
			idField("id_client"), textField("nom", 150, true), textField("secteur", 80, false), email,
			textField("telephone", 30, false), textField("ville", 80, false), dateField(false, "date_creation"),
		},
		Uniques: []Unique{
			{Name: "email", Columns: []string{"email"}, Code: rules.EmailTaken},
			{Name: "nom_ville", Columns: []string{"nom", "ville"}, Warn: true},
		},
	}
	intervenants := &Entity{
		Name: "intervenants", File: "intervenants.csv", Key: []string{"id_intervenant"},
		Fields: []rules.Field{
			idField("id_intervenant"), textField("nom", 80, true), textField("prenom", 80, true), email,
			textField("agence", 80, true), textField("specialite", 80, false), dateField(false, "date_embauche"),
		},
		Uniques: []Unique{{Name: "email", Columns: []string{"email"}, Code: rules.EmailTaken}},
	}
	projets := &Entity{
		Name: "projets", File: "projets.csv", Key: []string{"id_projet"},
		Fields: []rules.Field{
			idField("id_projet"), refField("id_client"), textField("titre", 200, true),
			{Name: "type_prestation", Kind: rules.Enum, Required: true, Values: model.TypesPrestation},
			{Name: "statut", Kind: rules.Enum, Required: true, Values: model.Statuts, Synonyms: map[string]string{
				"fini": "termine", "finie": "termine", "terminee": "termine", "clos": "termine", "close": "termine",
				"cloture": "termine", "acheve": "termine", "prevu": "planifie", "prevue": "planifie", "a_venir": "planifie",
				"en_attente": "planifie", "encours": "en_cours", "en_cour": "en_cours", "demarre": "en_cours",
				"annulee": "annule", "abandonne": "annule", "abandonnee": "annule"}},
			{Name: "date_debut", Kind: rules.Date, Required: true},
			{Name: "date_fin", Kind: rules.Date},
			{Name: "budget", Kind: rules.Decimal, Precision: 12, Scale: 2, Min: rules.AtLeast(0)},
			{Name: "note_satisfaction", Kind: rules.Integer, Min: rules.AtLeast(1), Max: rules.AtMost(5)},
			{Name: "sites", Kind: rules.List, MaxLen: 80},
		},
		Refs: []Ref{{Column: "id_client", Parent: "clients"}},
		RowRules: []rules.RowRule{
			rules.OrderedDates("date_debut", "date_fin"),
			rules.RequiredWhen("date_fin", "statut", model.StatutTermine, rules.EndDateRequired),
			rules.OnlyWhen("note_satisfaction", "statut", model.StatutTermine, rules.SatisfactionNotAllowed),
		},
		Lists: []List{{Column: "sites", Table: "projet_sites", ItemColumn: "site"}},
	}
	projetRef := Ref{Column: "id_projet", Parent: "projets"}
	affectations := &Entity{
		Name: "affectations", File: "affectations.csv", Key: []string{"id_affectation"},
		Fields: []rules.Field{
			idField("id_affectation"), refField("id_projet"), refField("id_intervenant"),
			{Name: "role", Kind: rules.Enum, Required: true, Values: model.Roles},
			textField("site", 80, false),
			{Name: "date_debut", Kind: rules.Date, Required: true},
			{Name: "date_fin", Kind: rules.Date},
			{Name: "jours", Kind: rules.Decimal, Precision: 6, Scale: 1, Min: rules.MoreThan(0)},
		},
		Uniques: []Unique{{Name: "key", Columns: []string{"id_projet", "id_intervenant", "role", "date_debut"}, Code: rules.DuplicateKeyConflict}},
		Refs:    []Ref{projetRef, {Column: "id_intervenant", Parent: "intervenants"}},
		RowRules: []rules.RowRule{
			rules.OrderedDates("date_debut", "date_fin"),
		},
		ParentRules: []ParentCheck{
			{Ref: projetRef, Rule: rules.WithinParentDates("date_debut", "date_fin", "date_debut", "date_fin")},
			{Ref: projetRef, Rule: rules.AmongParentList("site", "sites", "projet_sites", "id_projet", "site", rules.SiteNotInProject)},
		},
	}
	return &Domain{Name: "clevity", SchemaFile: "schema.sql", Entities: []*Entity{clients, intervenants, projets, affectations}}
}
