package generate

// French word lists. Our own rather than go-faker's: faker draws from one
// package-level source, so two runs in a process cannot each have their seed, its
// names and phone numbers are English and American, and a row through faker.FakeData
// costs 10 to 60 times ours (scripts/fakertrial measures it); ours give the same bytes
// for the same seed on any machine.

var lastNames = []string{
	"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
	"Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
	"Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure", "André",
	"Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
	"Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson",
	"Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
	"Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
	"Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron",
	"Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe",
	"Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte",
}

var firstNames = []string{
	"Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Laura", "Marie",
	"Élodie", "Céline", "Aurélie", "Sophie", "Nathalie", "Isabelle", "Claire", "Anaïs", "Pauline", "Océane",
	"Lucas", "Hugo", "Thomas", "Nicolas", "Julien", "Maxime", "Alexandre", "Antoine", "Romain", "Quentin",
	"Kévin", "Jérôme", "Stéphane", "Sébastien", "François", "Frédéric", "Mathieu", "Guillaume", "Benoît", "Loïc",
	"Théo", "Clément", "Adrien", "Baptiste", "Jean", "Pierre", "Arnaud", "Yann", "Gaëlle", "Noémie",
}

var companyWords = []string{
	"Alpha", "Atlantique", "Azur", "Boréal", "Cèdre", "Cristal", "Delta", "Émeraude", "Horizon", "Innov",
	"Lumière", "Méridien", "Nova", "Opale", "Orion", "Pégase", "Phénix", "Quartz", "Rhône", "Saphir",
	"Sigma", "Soleil", "Téthys", "Vega", "Vertigo", "Zénith", "Ardoise", "Granit", "Hélios", "Iris",
}

var companyForms = []string{"SA", "SAS", "SARL", "Groupe", "Industries", "Services", "Solutions", "& Fils", "Conseil", "Technologies"}

var sectors = []string{
	"Industrie", "Banque", "Assurance", "Santé", "Commerce", "Transport", "Énergie", "Agroalimentaire",
	"Administration", "Éducation", "BTP", "Télécoms", "Logistique", "Tourisme", "Immobilier",
}

var cities = []string{
	"Lyon", "Paris", "Grenoble", "Nantes", "Lille", "Bordeaux", "Toulouse", "Marseille", "Rennes", "Strasbourg",
	"Saint-Étienne", "Annecy", "Villeurbanne", "Montpellier", "Nice", "Dijon", "Clermont-Ferrand", "Tours", "Angers", "Metz",
}

// agencies are clevity's offices; a project's sites are among them.
var agencies = []string{"Lyon", "Paris", "Grenoble", "Nantes", "Lille", "Bordeaux", "Toulouse", "Marseille"}

var specialities = []string{"Réseaux", "Sécurité", "Cloud", "Systèmes", "Bases de données", "Développement", "ERP", "Formation", "Support", "Gestion de projet"}

var titleObjects = map[string][]string{
	"audit":       {"Audit sécurité", "Audit réseau", "Audit de conformité RGPD", "Audit d'infrastructure", "Audit de performance"},
	"deploiement": {"Déploiement ERP", "Migration cloud", "Déploiement réseau", "Mise en place VPN", "Déploiement postes de travail"},
	"formation":   {"Formation cybersécurité", "Formation Office 365", "Formation administrateurs", "Formation RGPD", "Formation ITIL"},
	"assistance":  {"Assistance technique", "Support niveau 2", "Infogérance", "Maintenance applicative", "Tierce maintenance"},
}

// roleFor gives the roles that fit each type of prestation, the first one most often.
var roleFor = map[string][]string{
	"audit":       {"auditeur", "consultant", "chef_projet"},
	"deploiement": {"technicien", "consultant", "chef_projet"},
	"formation":   {"formateur", "consultant"},
	"assistance":  {"technicien", "consultant", "chef_projet"},
}
