package generate

// Word lists of the distributech domain: French regions with their INSEE codes and
// towns, reseller names, and the wholesaler's catalogue of electronics.

// regionInfo is a French region: its INSEE code (the id_region), its name, its main
// towns, and how many resellers it holds compared with the others.
type regionInfo struct {
	code   int
	nom    string
	towns  []string
	weight int
}

// frenchRegions are listed by weight: -regions N takes the first N.
var frenchRegions = []regionInfo{
	{11, "Île-de-France", []string{"Paris", "Boulogne-Billancourt", "Saint-Denis", "Versailles", "Créteil", "Nanterre", "Argenteuil", "Montreuil", "Massy", "Cergy"}, 12},
	{84, "Auvergne-Rhône-Alpes", []string{"Lyon", "Grenoble", "Saint-Étienne", "Clermont-Ferrand", "Annecy", "Villeurbanne", "Valence", "Chambéry", "Roanne", "Bourg-en-Bresse"}, 9},
	{75, "Nouvelle-Aquitaine", []string{"Bordeaux", "Limoges", "Poitiers", "Pau", "La Rochelle", "Mérignac", "Bayonne", "Angoulême", "Niort", "Périgueux"}, 7},
	{76, "Occitanie", []string{"Toulouse", "Montpellier", "Nîmes", "Perpignan", "Béziers", "Montauban", "Albi", "Narbonne", "Tarbes", "Rodez"}, 7},
	{32, "Hauts-de-France", []string{"Lille", "Amiens", "Roubaix", "Tourcoing", "Dunkerque", "Calais", "Villeneuve-d'Ascq", "Beauvais", "Arras", "Valenciennes"}, 7},
	{93, "Provence-Alpes-Côte d'Azur", []string{"Marseille", "Nice", "Toulon", "Aix-en-Provence", "Avignon", "Cannes", "Antibes", "Gap", "Fréjus", "Arles"}, 6},
	{44, "Grand Est", []string{"Strasbourg", "Reims", "Metz", "Mulhouse", "Nancy", "Colmar", "Troyes", "Charleville-Mézières", "Épinal", "Thionville"}, 6},
	{52, "Pays de la Loire", []string{"Nantes", "Angers", "Le Mans", "Saint-Nazaire", "Cholet", "La Roche-sur-Yon", "Laval", "Saumur"}, 5},
	{53, "Bretagne", []string{"Rennes", "Brest", "Quimper", "Lorient", "Vannes", "Saint-Malo", "Saint-Brieuc", "Lannion"}, 5},
	{28, "Normandie", []string{"Rouen", "Caen", "Le Havre", "Cherbourg-en-Cotentin", "Évreux", "Dieppe", "Alençon", "Lisieux"}, 4},
	{27, "Bourgogne-Franche-Comté", []string{"Dijon", "Besançon", "Belfort", "Chalon-sur-Saône", "Auxerre", "Mâcon", "Nevers", "Montbéliard"}, 4},
	{24, "Centre-Val de Loire", []string{"Tours", "Orléans", "Bourges", "Blois", "Chartres", "Châteauroux", "Joué-lès-Tours", "Vierzon"}, 4},
	{94, "Corse", []string{"Ajaccio", "Bastia", "Porto-Vecchio", "Corte", "Calvi"}, 1},
	{4, "La Réunion", []string{"Saint-Denis", "Saint-Paul", "Saint-Pierre", "Le Tampon", "Saint-André"}, 2},
	{1, "Guadeloupe", []string{"Les Abymes", "Baie-Mahault", "Le Gosier", "Pointe-à-Pitre", "Basse-Terre"}, 1},
	{2, "Martinique", []string{"Fort-de-France", "Le Lamentin", "Le Robert", "Schœlcher"}, 1},
	{3, "Guyane", []string{"Cayenne", "Saint-Laurent-du-Maroni", "Kourou", "Matoury"}, 1},
	{6, "Mayotte", []string{"Mamoudzou", "Koungou", "Dzaoudzi"}, 1},
}

// oldRegionCodes are the codes of the regions merged in 2016: what a reseller record
// not updated since still carries, and no region of the file has.
var oldRegionCodes = []int{21, 22, 23, 25, 26, 31, 41, 42, 43, 54, 72, 73, 74, 82, 83, 91}

// resellerPatterns make a reseller's name: %s is a word, a family name or a town.
var resellerPatterns = []struct {
	format string
	kind   int // 0: company word, 1: family name, 2: town
}{
	{"%s Informatique", 0}, {"%s Informatique", 1}, {"Micro %s", 0}, {"%s Bureautique", 1}, {"%s Multimédia", 0},
	{"Espace %s", 0}, {"%s Distribution", 0}, {"%s Micro Services", 2}, {"Informatique %s", 2}, {"%s Numérique", 0},
	{"Boutique %s", 1}, {"%s Télécom", 0}, {"%s Hi-Fi Vidéo", 1}, {"Cyber %s", 0}, {"%s Systèmes", 0},
	{"Comptoir %s", 2}, {"%s & Fils", 1}, {"%s Connect", 0}, {"L'Atelier %s", 1}, {"%s Électronique", 2},
}

var resellerForms = []string{"SARL", "SAS", "EURL", "SA"}

var orderMailboxes = []string{"commandes", "achats", "contact", "compta", "appro"}

// category is a family of the catalogue: its reference prefix, alert threshold range,
// share of the catalogue, and the kinds of products it holds.
type category struct {
	prefix, nom string
	seuil       [2]int
	weight      int
	series      []string
	items       []item
	bulk        bool // sold by tens (cables, memory cards): larger order quantities
}

// item is a kind of product: its name, the specifications it comes in, and its price
// range in euros.
type item struct {
	kind  string
	specs []string
	price [2]int
}

var catalogue = []category{
	{prefix: "SMA", nom: "Smartphones", seuil: [2]int{10, 40}, weight: 12, series: []string{"Nova", "Edge", "Pulse", "Vista", "Orbit", "Prime"},
		items: []item{
			{"Smartphone", []string{"64 Go", "128 Go", "128 Go noir", "128 Go vert"}, [2]int{119, 399}},
			{"Smartphone", []string{"256 Go", "256 Go bleu", "256 Go titane", "512 Go"}, [2]int{399, 1399}},
			{"Smartphone pliable", []string{"256 Go", "512 Go"}, [2]int{999, 1899}},
			{"Smartphone durci", []string{"64 Go", "128 Go"}, [2]int{199, 499}},
		}},
	{prefix: "TAB", nom: "Tablettes", seuil: [2]int{5, 25}, weight: 6, series: []string{"Tab", "Slate", "Pad", "Vista Tab"},
		items: []item{
			{"Tablette", []string{"8 pouces 32 Go", "10 pouces 64 Go"}, [2]int{119, 299}},
			{"Tablette", []string{"11 pouces 128 Go", "11 pouces 128 Go 5G", "12,4 pouces 256 Go"}, [2]int{349, 1199}},
			{"Liseuse", []string{"6 pouces 16 Go", "7 pouces 32 Go"}, [2]int{99, 249}},
		}},
	{prefix: "ORD", nom: "Ordinateurs portables", seuil: [2]int{5, 20}, weight: 11, series: []string{"BookAir", "ProBook", "Zen", "Aero", "Swift", "Vector"},
		items: []item{
			{"Ordinateur portable", []string{"15,6 pouces i3 8 Go 256 Go", "14 pouces i5 16 Go 512 Go", "15,6 pouces Ryzen 5 16 Go 512 Go"}, [2]int{379, 899}},
			{"Ordinateur portable", []string{"15,6 pouces i7 16 Go 1 To", "16 pouces Ryzen 7 32 Go 1 To"}, [2]int{899, 1599}},
			{"Ultraportable", []string{"13 pouces Core Ultra 5 16 Go 512 Go", "14 pouces Core Ultra 7 32 Go 1 To"}, [2]int{999, 2199}},
			{"PC portable gamer", []string{"15,6 pouces RTX 4060 16 Go 1 To", "17 pouces RTX 4070 32 Go 2 To"}, [2]int{1199, 2599}},
			{"Chromebook", []string{"11,6 pouces 4 Go 64 Go", "14 pouces 8 Go 128 Go"}, [2]int{229, 449}},
		}},
	{prefix: "ECR", nom: "Écrans", seuil: [2]int{8, 30}, weight: 9, series: []string{"View", "Vision", "Pixel", "Clear"},
		items: []item{
			{"Écran", []string{"22 pouces Full HD", "24 pouces Full HD IPS", "24 pouces 165 Hz"}, [2]int{89, 249}},
			{"Écran", []string{"27 pouces QHD IPS", "27 pouces 4K", "32 pouces incurvé"}, [2]int{229, 649}},
			{"Moniteur", []string{"34 pouces UltraWide", "49 pouces incurvé", "27 pouces OLED 240 Hz"}, [2]int{449, 1299}},
		}},
	{prefix: "IMP", nom: "Imprimantes", seuil: [2]int{5, 20}, weight: 7, series: []string{"LaserJet", "Ecotank", "Pixma", "Workforce", "i-Sensys"},
		items: []item{
			{"Imprimante jet d'encre", []string{"Wi-Fi", "recto verso"}, [2]int{59, 199}},
			{"Imprimante laser", []string{"monochrome Wi-Fi", "couleur recto verso"}, [2]int{119, 499}},
			{"Multifonction jet d'encre", []string{"Wi-Fi", "à réservoirs"}, [2]int{89, 399}},
			{"Multifonction laser couleur", []string{"A4 réseau", "A3 réseau"}, [2]int{299, 999}},
			{"Cartouche d'encre", []string{"noire", "couleur", "pack 4 couleurs"}, [2]int{14, 69}},
		}},
	{prefix: "RES", nom: "Réseau", seuil: [2]int{10, 40}, weight: 8, series: []string{"Archer", "Nighthawk", "Deco", "Orbi", "Link"},
		items: []item{
			{"Routeur Wi-Fi 6", []string{"AX1800", "AX3000", "AX5400"}, [2]int{59, 299}},
			{"Système Wi-Fi mesh", []string{"pack de 2", "pack de 3"}, [2]int{129, 499}},
			{"Switch", []string{"8 ports Gigabit", "16 ports Gigabit", "24 ports PoE"}, [2]int{19, 399}},
			{"Répéteur Wi-Fi", []string{"AC1200", "AX1500"}, [2]int{24, 89}},
			{"Kit CPL", []string{"1000 Mbit/s", "2000 Mbit/s Wi-Fi"}, [2]int{49, 149}},
		}},
	{prefix: "STO", nom: "Stockage", seuil: [2]int{15, 60}, weight: 10, bulk: true, series: []string{"Blue", "Evo", "Extreme", "Ultra", "Expansion", "Canvio"},
		items: []item{
			{"Disque SSD NVMe", []string{"500 Go", "1 To", "2 To", "4 To"}, [2]int{39, 299}},
			{"Disque SSD SATA", []string{"250 Go", "500 Go", "1 To"}, [2]int{29, 119}},
			{"Disque dur externe", []string{"1 To", "2 To", "4 To", "5 To"}, [2]int{49, 169}},
			{"Clé USB", []string{"32 Go", "64 Go", "128 Go", "256 Go"}, [2]int{6, 39}},
			{"Carte microSD", []string{"64 Go", "128 Go", "256 Go"}, [2]int{9, 49}},
		}},
	{prefix: "AUD", nom: "Audio", seuil: [2]int{10, 40}, weight: 9, series: []string{"Buds", "Sound", "Bass", "Studio", "Flip", "Go"},
		items: []item{
			{"Casque sans fil", []string{"à réduction de bruit", "noir", "blanc"}, [2]int{49, 449}},
			{"Écouteurs sans fil", []string{"à réduction de bruit", "sport", "blanc"}, [2]int{19, 279}},
			{"Enceinte Bluetooth", []string{"étanche", "portable", "20 W"}, [2]int{24, 199}},
			{"Barre de son", []string{"2.1 avec caisson", "Dolby Atmos"}, [2]int{129, 899}},
			{"Casque filaire", []string{"USB-C", "jack 3,5 mm"}, [2]int{15, 99}},
		}},
	{prefix: "ACC", nom: "Accessoires", seuil: [2]int{30, 120}, weight: 16, bulk: true, series: []string{"Basics", "Essential", "Pro", "Travel", "Comfort"},
		items: []item{
			{"Câble USB-C", []string{"1 m", "2 m", "tressé 2 m", "100 W 1 m"}, [2]int{5, 29}},
			{"Câble HDMI", []string{"1,5 m", "3 m", "2.1 2 m"}, [2]int{7, 34}},
			{"Souris sans fil", []string{"noire", "ergonomique", "silencieuse"}, [2]int{9, 99}},
			{"Clavier AZERTY", []string{"sans fil", "mécanique", "compact"}, [2]int{19, 149}},
			{"Chargeur USB-C", []string{"20 W", "65 W", "100 W GaN"}, [2]int{14, 79}},
			{"Housse pour portable", []string{"13 pouces", "15,6 pouces", "14 pouces gris"}, [2]int{12, 49}},
			{"Station d'accueil USB-C", []string{"7 en 1", "12 en 1 double écran"}, [2]int{39, 249}},
			{"Batterie externe", []string{"10 000 mAh", "20 000 mAh"}, [2]int{19, 79}},
			{"Coque de protection", []string{"transparente", "noire", "antichoc"}, [2]int{9, 39}},
			{"Webcam", []string{"Full HD", "4K"}, [2]int{29, 199}},
		}},
	{prefix: "OBJ", nom: "Objets connectés", seuil: [2]int{5, 25}, weight: 5, series: []string{"Fit", "Watch", "Home", "Smart", "Cam"},
		items: []item{
			{"Montre connectée", []string{"41 mm", "44 mm", "46 mm GPS"}, [2]int{99, 499}},
			{"Bracelet d'activité", []string{"noir", "bleu"}, [2]int{29, 129}},
			{"Caméra de surveillance Wi-Fi", []string{"intérieure", "extérieure"}, [2]int{29, 199}},
			{"Ampoule connectée", []string{"E27", "GU10", "pack de 2"}, [2]int{12, 59}},
			{"Prise connectée", []string{"pack de 2", "avec mesure de consommation"}, [2]int{14, 39}},
		}},
	{prefix: "VID", nom: "Vidéoprojecteurs", seuil: [2]int{3, 10}, weight: 3, series: []string{"Cinema", "Beam", "Home", "Office"},
		items: []item{
			{"Vidéoprojecteur", []string{"WXGA", "Full HD", "Full HD 3 500 lumens"}, [2]int{299, 899}},
			{"Vidéoprojecteur courte focale", []string{"4K", "laser 4K"}, [2]int{999, 2499}},
			{"Écran de projection", []string{"180 cm", "240 cm motorisé"}, [2]int{79, 599}},
		}},
}

var brands = []string{"Veltra", "Korvo", "Lumax", "Aerix", "Nordtek", "Sonavi", "Primatek", "Zentro", "Okami", "Bravix", "Hexalis", "Quantis"}
