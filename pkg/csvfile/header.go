package csvfile

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"dmt/pkg/rules"
)

// Mapping says where each wanted column is in a file's header, so that records can be
// read by name whatever the column order and spelling of each agency's export.
type Mapping struct {
	Index   []int    // Index[i]: position of wanted[i] in the header, -1 when absent
	Unknown []string // header names matching no wanted column: reported, ignored
}

// ErrWideHeader is returned (wrapped) by MapHeader for a header with more than twice as
// many columns as wanted: that is no header of the file, but most often a whole file
// read as one line (line ends not recognised) or the wrong file, and reading it as a
// header would make a file "with no rows" of it.
var ErrWideHeader = errors.New("header too wide")

// DuplicateColumnError is a header naming one wanted column twice (`email` and
// `Email`): which of the two holds the value cannot be guessed, and ignoring either
// would lose values, so the file is not read.
type DuplicateColumnError struct {
	Column        string // the wanted column
	First, Second int    // 1-based positions in the header
	Names         [2]string
}

var _ error = (*DuplicateColumnError)(nil)

// Error names the column and both positions, e.g.
// `column email named twice in the header: column 4 ("email") and column 8 ("Email")`.
func (e *DuplicateColumnError) Error() string {
	return fmt.Sprintf("column %s named twice in the header: column %d (%q) and column %d (%q)",
		e.Column, e.First, e.Names[0], e.Second, e.Names[1])
}

// MissingColumnError names the required columns a header lacks, all at once, so that
// an agency can fix its export in one go.
type MissingColumnError struct {
	Columns []string
}

var _ error = (*MissingColumnError)(nil)

// Error lists the missing columns, e.g. "missing required columns: email, nom".
func (e *MissingColumnError) Error() string {
	if len(e.Columns) == 1 {
		return "missing required column: " + e.Columns[0]
	}
	return "missing required columns: " + strings.Join(e.Columns, ", ")
}

// MapHeader matches header names to wanted columns regardless of case, accents,
// surrounding spaces and '-', '_', '.' or spaces ("E-mail" is email, "Id Client" is
// id_client), because every agency spells its headers its own way. A name that matches
// no wanted column that way is tried again without the French link words de, du, des,
// d', la, le, les and l' ("date de début" is date_debut). It returns an error wrapping
// ErrWideHeader when the header has more than twice as many columns as wanted (names
// starting with '_', the columns the toolkit adds to the files it writes, aside), a
// *DuplicateColumnError when two header columns name the same wanted one, and a
// *MissingColumnError when a required column is absent.
func MapHeader(header, wanted, required []string) (Mapping, error) {
	m := Mapping{Index: make([]int, len(wanted))}
	width := 0
	for _, h := range header {
		if !strings.HasPrefix(h, "_") {
			width++
		}
	}
	if len(wanted) > 0 && width > 2*len(wanted) {
		return m, fmt.Errorf("%w: %d columns, more than twice the %d expected (a whole file read as one line? "+
			"line ends not recognised, or the wrong file)", ErrWideHeader, width, len(wanted))
	}
	exact := make(map[string]int, len(wanted))
	loose := make(map[string]int, len(wanted))
	for i, w := range wanted {
		m.Index[i] = -1
		if k := headerKey(w); k != "" {
			if _, dup := exact[k]; !dup {
				exact[k] = i
			}
		}
		if k := looseKey(w); k != "" {
			if _, dup := loose[k]; !dup {
				loose[k] = i
			}
		}
	}
	// find is the wanted column a name stands for.
	find := func(name string) (int, bool) {
		if i, ok := exact[headerKey(name)]; ok {
			return i, true
		}
		i, ok := loose[looseKey(name)]
		return i, ok
	}
	for j, h := range header {
		i, ok := find(h)
		switch {
		case !ok:
			m.Unknown = append(m.Unknown, h)
		case m.Index[i] >= 0:
			first := m.Index[i]
			return m, &DuplicateColumnError{Column: wanted[i], First: first + 1, Second: j + 1, Names: [2]string{header[first], h}}
		default:
			m.Index[i] = j
		}
	}
	var missing []string
	for _, r := range required {
		if i, ok := find(r); ok {
			if m.Index[i] < 0 {
				missing = append(missing, r)
			}
			continue
		}
		// A required column that is not among the wanted ones: look for it directly.
		found := false
		for _, h := range header {
			if headerKey(h) == headerKey(r) || looseKey(h) == looseKey(r) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return m, &MissingColumnError{Columns: missing}
	}
	return m, nil
}

// headerKey is the key a header name is matched by: rules.HeaderKey (case, accents,
// spaces, '-' and '_' aside), with '.' and a stray BOM ignored too. So "Email",
// " e-mail ", "E_MAIL" and "É-mail" are all "email".
func headerKey(s string) string {
	return rules.HeaderKey(dotsAndBOM.Replace(s))
}

// dotsAndBOM is what headerKey replaces before folding (made once: a Replacer costs
// more to build than to use).
var dotsAndBOM = strings.NewReplacer(".", " ", "\uFEFF", "")

// linkWords are the French words that headers written as phrases add to the column
// names ("date de début", "nom du client", "date d'arrivée").
var linkWords = map[string]bool{"de": true, "du": true, "des": true, "d": true, "la": true, "le": true, "les": true, "l": true}

// looseKey is headerKey without the link words, so that "date de début" and
// "date_debut" match. A name made only of link words keeps them.
func looseKey(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '-' || r == '_' || r == '.' || r == '\'' || r == '’'
	})
	var b strings.Builder
	for _, w := range words {
		if k := headerKey(w); !linkWords[k] {
			b.WriteString(k)
		}
	}
	if b.Len() == 0 {
		return headerKey(s)
	}
	return b.String()
}
