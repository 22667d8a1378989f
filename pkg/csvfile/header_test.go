package csvfile

import (
	"errors"
	"reflect"
	"strings"
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
		missing  []string
	}{
		{"exact", []string{"id_client", "email", "date_debut", "nom"}, wanted, []int{0, 1, 2, 3}, nil, nil},
		{"spelling variants and order", []string{" E-Mail ", "Id Client", "Date de Début", "NOM"}, wanted, []int{1, 0, 2, 3}, nil, nil},
		{"unknown", []string{"nom", "remarque", "ID_CLIENT", "email"}, []string{"id_client"},
			[]int{2, 3, -1, 0}, []string{"remarque"}, nil},
		{"link words", []string{"Id du Client", "E-mail", "date de début", "nom"}, wanted, []int{0, 1, 2, 3}, nil, nil},
		{"optional column absent", []string{"id_client", "email"}, []string{"id_client"}, []int{0, 1, -1, -1}, nil, nil},
		{"one required missing", []string{"id_client", "nom"}, []string{"id_client", "email"}, []int{0, -1, -1, 1}, nil, []string{"email"}},
		{"two required missing", []string{"nom"}, []string{"id_client", "email"}, []int{-1, -1, -1, 0}, nil, []string{"id_client", "email"}},
		{"empty header", nil, nil, []int{-1, -1, -1, -1}, nil, nil},
		{"twice as wide", []string{"id_client", "email", "date_debut", "nom", "a", "b", "c", "d"}, nil,
			[]int{0, 1, 2, 3}, []string{"a", "b", "c", "d"}, nil},
		{"context columns not counted", []string{"id_client", "email", "date_debut", "nom", "a", "b", "c", "d", "_file", "_line", "_errors", "_raw"}, nil,
			[]int{0, 1, 2, 3}, []string{"a", "b", "c", "d", "_file", "_line", "_errors", "_raw"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := MapHeader(c.header, wanted, c.required)
			if !reflect.DeepEqual(m.Index, c.index) || !reflect.DeepEqual(m.Unknown, c.unknown) {
				t.Errorf("MapHeader(%q) = %+v, want Index %v Unknown %q", c.header, m, c.index, c.unknown)
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

// A header naming one column twice is an error naming both positions: ignoring either
// column loses the values of the rows that fill only it (issue 12, item 4).
func TestMapHeaderDuplicate(t *testing.T) {
	wanted := []string{"id_client", "nom", "email", "ville"}
	cases := []struct {
		header []string
		want   DuplicateColumnError
	}{
		{[]string{"id_client", "nom", "email", "ville", "Email"}, DuplicateColumnError{"email", 3, 5, [2]string{"email", "Email"}}},
		{[]string{"Nom", "id_client", "nom", "email"}, DuplicateColumnError{"nom", 1, 3, [2]string{"Nom", "nom"}}},
		{[]string{"id_client", "date_debut", "email", "nom", "E-mail"}, DuplicateColumnError{"email", 3, 5, [2]string{"email", "E-mail"}}},
	}
	for _, c := range cases {
		_, err := MapHeader(c.header, wanted, []string{"id_client"})
		var de *DuplicateColumnError
		if !errors.As(err, &de) || *de != c.want {
			t.Errorf("MapHeader(%q) = %v, want %v", c.header, err, &c.want)
		}
	}
	err := (&DuplicateColumnError{"email", 4, 8, [2]string{"email", "Email"}}).Error()
	if want := `column email named twice in the header: column 4 ("email") and column 8 ("Email")`; err != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

// A header more than twice as wide as the entity is no header: a whole CR-only file
// read as one line must not pass for a file with no rows (issue 12, item 1).
func TestMapHeaderWide(t *testing.T) {
	wanted := []string{"id_client", "nom", "email"}
	header := []string{"id_client", "nom", "email", "1", "A", "a@x.fr", "2"}
	if _, err := MapHeader(header, wanted, wanted); !errors.Is(err, ErrWideHeader) ||
		!strings.Contains(err.Error(), "7 columns, more than twice the 3 expected") {
		t.Errorf("MapHeader(%q) = %v, want ErrWideHeader", header, err)
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

// BenchmarkMapHeader: a weekly order file's header, mapped once per file; a run of
// 12,000 weekly files maps 12,000 (44 µs each when every key built its Replacer, 10 µs
// since).
func BenchmarkMapHeader(b *testing.B) {
	header := []string{"ID Projet", "Titre ", "date de début", "E-mail", "_line", "_errors", "budget", "x"}
	wanted := []string{"id_projet", "id_client", "titre", "date_debut", "date_fin", "budget", "e_mail"}
	for range b.N {
		if _, err := MapHeader(header, wanted, []string{"id_projet", "titre", "date_debut"}); err != nil {
			b.Fatal(err)
		}
	}
}
