// Package model holds the typed records of the toolkit's domains, as the contract
// (docs/formats.md) names them. It knows nothing of files or databases: readers and
// stores turn records into rows, and pkg/rules decides whether a record is valid.
package model

import (
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date without time or zone, as stored in a DATE column.
// The zero Date means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the Date of t in t's own location.
func NewDate(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return NewDate(d.Time().AddDate(0, 0, n)) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.Time().Compare(e.Time()) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// String returns the canonical YYYY-MM-DD form, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	b := make([]byte, 0, 10)
	b = appendPadded(b, d.Year, 4)
	b = append(b, '-')
	b = appendPadded(b, int(d.Month), 2)
	b = append(b, '-')
	b = appendPadded(b, d.Day, 2)
	return string(b)
}

// Decimal is an exact decimal number: Units × 10^-Scale. It never goes through a
// float, so 12500.50 stays 12500.50 from file to DECIMAL column.
type Decimal struct {
	Units int64
	Scale int
}

// String returns the canonical form with exactly Scale decimals: "-12500.50".
func (d Decimal) String() string {
	neg := d.Units < 0
	u := d.Units
	if neg {
		u = -u
	}
	s := strconv.FormatInt(u, 10)
	if d.Scale > 0 {
		if len(s) <= d.Scale {
			s = strings.Repeat("0", d.Scale-len(s)+1) + s
		}
		s = s[:len(s)-d.Scale] + "." + s[len(s)-d.Scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Statut values of a projet, in canonical form.
const (
	StatutPlanifie = "planifie"
	StatutEnCours  = "en_cours"
	StatutTermine  = "termine"
	StatutAnnule   = "annule"
)

// Statuts lists the canonical statuts of a projet.
var Statuts = []string{StatutPlanifie, StatutEnCours, StatutTermine, StatutAnnule}

// TypesPrestation lists the canonical type_prestation values of a projet.
var TypesPrestation = []string{"audit", "deploiement", "formation", "assistance"}

// Roles lists the canonical roles of an affectation.
var Roles = []string{"chef_projet", "consultant", "technicien", "formateur", "auditeur"}

// Client is a customer of clevity (clients.csv).
type Client struct {
	IDClient     int64
	Nom          string
	Secteur      string
	Email        string
	Telephone    string
	Ville        string
	DateCreation Date
}

// Intervenant is a member of clevity's staff (intervenants.csv).
type Intervenant struct {
	IDIntervenant int64
	Nom           string
	Prenom        string
	Email         string
	Agence        string
	Specialite    string
	DateEmbauche  Date
}

// Projet is a piece of work sold to a client (projets.csv). NoteSatisfaction is 0 when
// absent; Budget is nil when absent.
type Projet struct {
	IDProjet         int64
	IDClient         int64
	Titre            string
	TypePrestation   string
	Statut           string
	DateDebut        Date
	DateFin          Date
	Budget           *Decimal
	NoteSatisfaction int
	Sites            []string
}

// Affectation puts an intervenant on a projet in a role (affectations.csv). Jours is nil
// when absent.
type Affectation struct {
	IDAffectation int64
	IDProjet      int64
	IDIntervenant int64
	Role          string
	Site          string
	DateDebut     Date
	DateFin       Date
	Jours         *Decimal
}

// Column names of each clevity file, in the contract's order.
var (
	ClientColumns      = []string{"id_client", "nom", "secteur", "email", "telephone", "ville", "date_creation"}
	IntervenantColumns = []string{"id_intervenant", "nom", "prenom", "email", "agence", "specialite", "date_embauche"}
	ProjetColumns      = []string{"id_projet", "id_client", "titre", "type_prestation", "statut", "date_debut", "date_fin", "budget", "note_satisfaction", "sites"}
	AffectationColumns = []string{"id_affectation", "id_projet", "id_intervenant", "role", "site", "date_debut", "date_fin", "jours"}
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func decimalText(d *Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// Fields returns c in canonical text form, in ClientColumns order.
func (c Client) Fields() []string {
	return []string{itoa(c.IDClient), c.Nom, c.Secteur, c.Email, c.Telephone, c.Ville, c.DateCreation.String()}
}

// Fields returns i in canonical text form, in IntervenantColumns order.
func (i Intervenant) Fields() []string {
	return []string{itoa(i.IDIntervenant), i.Nom, i.Prenom, i.Email, i.Agence, i.Specialite, i.DateEmbauche.String()}
}

// Fields returns p in canonical text form, in ProjetColumns order; sites are joined by "|".
func (p Projet) Fields() []string {
	note := ""
	if p.NoteSatisfaction != 0 {
		note = strconv.Itoa(p.NoteSatisfaction)
	}
	return []string{itoa(p.IDProjet), itoa(p.IDClient), p.Titre, p.TypePrestation, p.Statut,
		p.DateDebut.String(), p.DateFin.String(), decimalText(p.Budget), note, strings.Join(p.Sites, "|")}
}

// Fields returns a in canonical text form, in AffectationColumns order.
func (a Affectation) Fields() []string {
	return []string{itoa(a.IDAffectation), itoa(a.IDProjet), itoa(a.IDIntervenant), a.Role, a.Site,
		a.DateDebut.String(), a.DateFin.String(), decimalText(a.Jours)}
}

// appendPadded appends n in decimal with at least width digits (n >= 0); Date.String
// runs for every date of every row, so it avoids fmt.
func appendPadded(b []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
