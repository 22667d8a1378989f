package csvfile

import (
	"errors"
	"reflect"
	"testing"
)

func TestHeaderKey(t *testing.T) {
	cases := []struct{ in, want string }{
		{"email", "email"},
		{"Email", "email"},
		{" e-mail ", "email"},
		{"E_MAIL", "email"},
		{"É-mail", "email"},
		{"date de début", "datededebut"},
		{"date_debut", "datedebut"},
		{"DATE-DÉBUT", "datedebut"},
		{"Id Client", "idclient"},
		{"N° tél.", "n°tel"},
		{"\ufeffid", "id"},
		{"Prénom\u00a0", "prenom"},
		{"", ""},
	}
	for _, c := range cases {
		if got := headerKey(c.in); got != c.want {
			t.Errorf("headerKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLooseKey(t *testing.T) {
	cases := []struct{ in, want string }{
		{"date de début", "datedebut"},
		{"Date_Debut", "datedebut"},
		{"nom du client", "nomclient"},
		{"date d'arrivée", "datearrivee"},
		{"date d’arrivée", "datearrivee"},
		{"Id Client", "idclient"},
		{"de", "de"},
		{"", ""},
	}
	for _, c := range cases {
		if got := looseKey(c.in); got != c.want {
			t.Errorf("looseKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMapHeader(t *testing.T) {
	wanted := []string{"id_client", "email", "date_debut", "nom"}
	cases := []struct {
		name     string
		header   []string
		required []string
		index    []int
		unknown  []string
		extra    []string
		missing  []string
	}{
		{"exact", []string{"id_client", "email", "date_debut", "nom"}, wanted, []int{0, 1, 2, 3}, nil, nil, nil},
		{"spelling variants and order", []string{" E-Mail ", "Id Client", "Date de Début", "NOM"}, wanted, []int{1, 0, 2, 3}, nil, nil, nil},
		{"unknown and repeated", []string{"nom", "remarque", "ID_CLIENT", "Nom", "email"}, []string{"id_client"},
			[]int{2, 4, -1, 0}, []string{"remarque"}, []string{"Nom"}, nil},
		{"link words", []string{"Id du Client", "E-mail", "date de début", "nom"}, wanted, []int{0, 1, 2, 3}, nil, nil, nil},
		{"exact spelling and phrase of the same column", []string{"date_debut", "date de début", "x"}, nil,
			[]int{-1, -1, 0, -1}, []string{"x"}, []string{"date de début"}, nil},
		{"optional column absent", []string{"id_client", "email"}, []string{"id_client"}, []int{0, 1, -1, -1}, nil, nil, nil},
		{"one required missing", []string{"id_client", "nom"}, []string{"id_client", "email"}, []int{0, -1, -1, 1}, nil, nil, []string{"email"}},
		{"two required missing", []string{"nom"}, []string{"id_client", "email"}, []int{-1, -1, -1, 0}, nil, nil, []string{"id_client", "email"}},
		{"empty header", nil, nil, []int{-1, -1, -1, -1}, nil, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := MapHeader(c.header, wanted, c.required)
			if !reflect.DeepEqual(m.Index, c.index) || !reflect.DeepEqual(m.Unknown, c.unknown) || !reflect.DeepEqual(m.Extra, c.extra) {
				t.Errorf("MapHeader(%q) = %+v, want Index %v Unknown %q Extra %q", c.header, m, c.index, c.unknown, c.extra)
			}
			var mc *MissingColumnError
			switch {
			case c.missing == nil && err != nil:
				t.Errorf("MapHeader(%q) error = %v, want nil", c.header, err)
			case c.missing != nil && (!errors.As(err, &mc) || !reflect.DeepEqual(mc.Columns, c.missing)):
				t.Errorf("MapHeader(%q) error = %v, want missing %q", c.header, err, c.missing)
			}
		})
	}
	for _, h := range []string{"Email", " e-mail ", "E_MAIL", "É-mail", "e.mail"} {
		m, err := MapHeader([]string{"id", h}, []string{"email"}, []string{"email"})
		if err != nil || m.Index[0] != 1 {
			t.Errorf("MapHeader(%q) = %+v, %v, want email at 1", h, m, err)
		}
	}
}

func TestMissingColumnError(t *testing.T) {
	cases := []struct {
		cols []string
		want string
	}{
		{[]string{"email"}, "missing required column: email"},
		{[]string{"email", "nom"}, "missing required columns: email, nom"},
	}
	for _, c := range cases {
		if got := (&MissingColumnError{Columns: c.cols}).Error(); got != c.want {
			t.Errorf("MissingColumnError(%q).Error() = %q, want %q", c.cols, got, c.want)
		}
	}
}
