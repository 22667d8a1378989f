package csvfile

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzMapHeader: whatever an agency's header holds, MapHeader never panics, and a
// mapping it returns is one: each wanted column at most once, at a position of the
// header whose name stands for it, every required column found, and every other name
// reported unknown.
func FuzzMapHeader(f *testing.F) {
	wanted := []string{"id_projet", "id_client", "titre", "date_debut", "date_fin", "budget", "e_mail"}
	required := []string{"id_projet", "titre", "date_debut"}
	f.Add("id_projet\x1ftitre\x1fdate_debut")
	f.Add("ID Projet\x1fTitre \x1fdate de début\x1fE-mail\x1f_line\x1f_errors")
	f.Add("id_projet\x1fID-PROJET\x1ftitre\x1fdate_debut")
	f.Add("\x1f\x1f\x1f")
	f.Add("d'\x1fl'\x1fde la\x1fIdProjet\x1fdu titre\x1fdate.debut")
	f.Fuzz(func(t *testing.T, joined string) {
		header := strings.Split(joined, "\x1f")
		m, err := MapHeader(header, wanted, required)
		if err != nil {
			var dup *DuplicateColumnError
			var miss *MissingColumnError
			if !errors.Is(err, ErrWideHeader) && !errors.As(err, &dup) && !errors.As(err, &miss) {
				t.Fatalf("MapHeader(%q): unexpected error %v", header, err)
			}
			return
		}
		if len(m.Index) != len(wanted) {
			t.Fatalf("MapHeader(%q): %d positions for %d wanted", header, len(m.Index), len(wanted))
		}
		used := map[int]bool{}
		for i, j := range m.Index {
			if j < 0 {
				continue
			}
			if j >= len(header) || used[j] {
				t.Fatalf("MapHeader(%q): %s at position %d, out of the header or taken twice", header, wanted[i], j)
			}
			used[j] = true
			if h, w := header[j], wanted[i]; headerKey(h) != headerKey(w) && looseKey(h) != looseKey(w) {
				t.Fatalf("MapHeader(%q): %q taken for %s", header, h, w)
			}
		}
		for _, r := range required {
			if m.Index[slices.Index(wanted, r)] < 0 { // every required name is wanted here
				t.Fatalf("MapHeader(%q): required %s not found, and no error", header, r)
			}
		}
		if unknown := len(header) - len(used); len(m.Unknown) != unknown {
			t.Fatalf("MapHeader(%q): %d names unknown, %d reported (%q)", header, unknown, len(m.Unknown), m.Unknown)
		}
	})
}
