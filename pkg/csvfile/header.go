package csvfile

import (
	"strings"

	"dmt/pkg/rules"
)

// Mapping says where each wanted column is in a file's header.
type Mapping struct {
	Index   []int    // Index[i]: position of wanted[i] in the header, -1 when absent
	Unknown []string // header names matching no wanted column: reported, ignored
	Extra   []string // wanted columns named twice: the later ones are ignored
}

// MissingColumnError names the required columns a header lacks.
type MissingColumnError struct {
	Columns []string
}

var _ error = (*MissingColumnError)(nil)

func (e *MissingColumnError) Error() string {
	if len(e.Columns) == 1 {
		return "missing required column: " + e.Columns[0]
	}
	return "missing required columns: " + strings.Join(e.Columns, ", ")
}

// MapHeader matches header names to wanted columns regardless of case, accents,
// surrounding spaces and '-', '_' or space ("E-mail" is email, "Date Début" is
// date_debut). It returns a *MissingColumnError when a required column is absent.
func MapHeader(header, wanted, required []string) (Mapping, error) {
	m := Mapping{Index: make([]int, len(wanted))}
	pos := map[string]int{}
	for i, w := range wanted {
		pos[rules.HeaderKey(w)] = i
		m.Index[i] = -1
	}
	for j, h := range header {
		i, ok := pos[rules.HeaderKey(h)]
		switch {
		case !ok:
			m.Unknown = append(m.Unknown, h)
		case m.Index[i] >= 0:
			m.Extra = append(m.Extra, h)
		default:
			m.Index[i] = j
		}
	}
	var missing []string
	for _, r := range required {
		for i, w := range wanted {
			if w == r && m.Index[i] < 0 {
				missing = append(missing, r)
			}
		}
	}
	if len(missing) > 0 {
		return m, &MissingColumnError{Columns: missing}
	}
	return m, nil
}
