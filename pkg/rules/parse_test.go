package rules

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dmt/pkg/model"
)

func TestParseDate(t *testing.T) {
	cases := []struct {
		in   string
		want string // "" means an error
	}{
		{"2024-04-03", "2024-04-03"},
		{"03/04/2024", "2024-04-03"}, // the 3rd of April
		{"03-04-2024", "2024-04-03"},
		{"2024/04/03", "2024-04-03"},
		{"3/4/2024", "2024-04-03"},
		{" 2024-04-03 ", "2024-04-03"},
		{"2024-04-03T10:22:00", "2024-04-03"},
		{"2024-04-03T10:22:00Z", "2024-04-03"},
		{"2024-04-03T10:22:00.123+02:00", "2024-04-03"},
		{"2024-04-03 10:22", "2024-04-03"},
		{"29/02/2024", "2024-02-29"},
		{"31/12/1999", "1999-12-31"},
		{"", ""},
		{"29/02/2023", ""}, // no such day
		{"2023-02-30", ""},
		{"2023-13-01", ""},
		{"32/01/2023", ""},
		{"00/01/2023", ""},
		{"2023-1-1x", ""},
		{"2023.03.05", ""}, // reprise's business, not migration's
		{"5 mars 2023", ""},
		{"03/04/24", ""}, // two-digit years are a guess
		{"2024-04-03T25", ""},
		{"2020-01-01T25:99:00", ""},
		{"2020-01-01T24:00:00", ""},
		{"2020-01-01T23:60", ""},
		{"2020-01-01T23:59:60", ""},
		{"2020-01-01T23:59:59+15:00", ""},
		{"2020-01-01T23:59:59.5+14:00", "2020-01-01"},
		{"2020-01-01 00:00", "2020-01-01"},
		{"2024-04-03Tfoo", ""},
		{"2024/04-03", ""},
		{"0999-01-01", ""},
		{"hier", ""},
		{"2024--04-03", ""},
		{"/04/2024", ""},
		{"123/04/2024", ""},
	}
	for _, c := range cases {
		got, err := ParseDate(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("ParseDate(%q) = %v, want an error", c.in, got)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("ParseDate(%q) = %v, %v, want %s", c.in, got, err, c.want)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	cases := []struct {
		in       string
		prec, sc int
		want     string
		wantErr  error
	}{
		{"12500.5", 12, 2, "12500.50", nil},
		{"12 500,50", 12, 2, "12500.50", nil},
		{"12 500,50 €", 12, 2, "12500.50", nil},
		{"12\u00a0500,50\u00a0€", 12, 2, "12500.50", nil},
		{"12\u202f500,50", 12, 2, "12500.50", nil},
		{"€12500", 12, 2, "12500.00", nil},
		{"12,500.50", 12, 2, "12500.50", nil},
		{"1,250,000.00", 12, 2, "1250000.00", nil},
		{"1.250,50", 12, 2, "1250.50", nil},
		{"12,5", 12, 2, "12.50", nil},
		{"12,500", 12, 2, "", ErrAmbiguousDecimal}, // 12.5 or 12500? not guessed
		{"1,000", 12, 2, "", ErrAmbiguousDecimal},
		{"250,000", 12, 2, "", ErrAmbiguousDecimal},
		{"-250,000", 12, 2, "", ErrAmbiguousDecimal},
		{"1250,000", 12, 2, "1250.00", nil},    // four digits before the comma: no thousands group
		{"12 500,000", 12, 2, "12500.00", nil}, // spaces group the thousands: the comma is decimal
		{"12,5", 12, 2, "12.50", nil},
		{"12,50", 12, 2, "12.50", nil},
		{"0", 12, 2, "0.00", nil},
		{"0.10", 12, 2, "0.10", nil},
		{".5", 6, 1, "0.5", nil},
		{"-3.5", 6, 1, "-3.5", nil},
		{"+3.5", 6, 1, "3.5", nil},
		{"007.50", 12, 2, "7.50", nil},
		{"2.50", 6, 1, "2.5", nil}, // trailing zeros are not extra decimals
		{"9999999999.99", 12, 2, "9999999999.99", nil},
		{"10000000000", 12, 2, "", ErrPrecision},
		{"12.345", 12, 2, "", ErrBadDecimal}, // rounding would change the figure
		{"", 12, 2, "", ErrBadDecimal},
		{"€", 12, 2, "", ErrBadDecimal},
		{"abc", 12, 2, "", ErrBadDecimal},
		{"12.", 12, 2, "", ErrBadDecimal},
		{"1.2.3", 12, 2, "", ErrBadDecimal},
		{"1,2,3", 12, 2, "", ErrBadDecimal},
		{"12,50.5", 12, 2, "", ErrBadDecimal},
		{"1e5", 12, 2, "", ErrBadDecimal},
		{"12 500,50 $", 12, 2, "", ErrBadDecimal},
		{"--5", 12, 2, "", ErrBadDecimal},
		{"1.250.000,5", 12, 2, "1250000.50", nil},
		{"1.25,5", 12, 2, "", ErrBadDecimal},
	}
	for _, c := range cases {
		got, err := ParseDecimal(c.in, c.prec, c.sc)
		if c.wantErr != nil {
			if !errors.Is(err, c.wantErr) {
				t.Errorf("ParseDecimal(%q, %d, %d) = %v, %v, want %v", c.in, c.prec, c.sc, got, err, c.wantErr)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("ParseDecimal(%q, %d, %d) = %v, %v, want %s", c.in, c.prec, c.sc, got, err, c.want)
		}
	}
}

func TestParseInteger(t *testing.T) {
	good := map[string]int64{"42": 42, " 7 ": 7, "-3": -3, "+5": 5, "007": 7}
	for in, want := range good {
		if got, err := ParseInteger(in); err != nil || got != want {
			t.Errorf("ParseInteger(%q) = %d, %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "4.0", "4,0", "1 000", "x", "99999999999999999999", "+-1", "4/5"} {
		if got, err := ParseInteger(in); err == nil {
			t.Errorf("ParseInteger(%q) = %d, want an error", in, got)
		}
	}
}

func TestCleanText(t *testing.T) {
	cases := map[string]string{
		"  Dupont  ":        "Dupont",
		"Jean  \t Pierre":   "Jean Pierre",
		"a\r\nb":            "a b",
		"\u00a0Lyon\u00a0":  "Lyon",
		"Société  Générale": "Société Générale",
		"":                  "",
		"   ":               "",
		"no change":         "no change",
	}
	for in, want := range cases {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := CleanEmail("  Jean.Dupont@Exemple.FR "); got != "jean.dupont@exemple.fr" {
		t.Errorf("CleanEmail = %q", got)
	}
	if got := CleanEmail("\u212aim@x.fr"); got != "\u212aim@x.fr" {
		t.Errorf("CleanEmail(Kelvin sign) = %q: only ASCII letters are folded", got)
	}
	if got, want := CleanText("e\u0301cole"), "\u00e9cole"; got != want {
		t.Errorf("CleanText(NFD) = %q, want the NFC %q", got, want)
	}
}

func TestValidEmail(t *testing.T) {
	for _, s := range []string{"a@b.fr", "jean.dupont+x@mail.exemple.fr", "o'neil@x.io", "a_b-c@x-y.example.com", "x`{}~@b.fr"} {
		if !ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", "a", "a@b", "@b.fr", "a@.fr", "a@b.", "a@@b.fr", "a b@c.fr", "a@b..fr", "mailto:a@b.fr x",
		"é@exemple.fr", "mailto:a28@x.fr", `a30"x@x.fr`, "\u212aim@x.fr", "dup@x.fr\u200b", "\ufeffa@x.fr", "a@-x.fr", "a@x-.fr", "a\x00@x.fr"} {
		if ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = true, want false", s)
		}
	}
}

func TestNormalizeEnum(t *testing.T) {
	cases := map[string]string{
		"Terminé": "termine", "TERMINE": "termine", "termine": "termine", " termine ": "termine",
		"en cours": "en_cours", "En-Cours": "en_cours", "EN_COURS": "en_cours", "en  cours": "en_cours",
		"Planifié": "planifie", "annulé": "annule",
		"fini": "", "en": "", "": "", "termines": "",
	}
	for in, want := range cases {
		got, ok := NormalizeEnum(in, model.Statuts)
		if (want == "") == ok || got != want {
			t.Errorf("NormalizeEnum(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
}

func TestSplitList(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"Lyon|Paris", "Lyon|Paris"},
		{" Lyon | Paris ", "Lyon|Paris"},
		{"Lyon||Paris|", "Lyon|Paris"},
		{"Lyon|Lyon", "Lyon"},
		{"", ""},
		{"Saint  Étienne", "Saint Étienne"},
	}
	for _, c := range cases {
		if got := JoinList(SplitList(c.in)); got != c.want {
			t.Errorf("SplitList(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Email": "email", " e-mail ": "e_mail", "E_MAIL": "e_mail", "Date Début": "date_debut"} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{"Email", " e-mail ", "E_MAIL", "É-mail"} {
		if got := HeaderKey(in); got != "email" {
			t.Errorf("HeaderKey(%q) = %q, want email", in, got)
		}
	}
}

// TestCodesDescribed reads every constant of type Code declared in this package's
// source, so a code added without a description in Catalogue fails here, and wants
// Catalogue to describe no other code.
func TestCodesDescribed(t *testing.T) {
	codes := declaredCodes(t)
	if len(codes) < 27 {
		t.Fatalf("found %d codes in the source, want at least the 27 of the contract", len(codes))
	}
	for _, c := range codes {
		if Describe(c) == "" {
			t.Errorf("Describe(%s) is empty: add it to Catalogue", c)
		}
	}
	for c := range Catalogue {
		if !slices.Contains(codes, c) {
			t.Errorf("Catalogue describes %s, which is no declared Code", c)
		}
	}
}

// declaredCodes parses the package's non-test files and returns the value of every
// constant declared with type Code (or as Code("...")).
func declaredCodes(t *testing.T) []Code {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var codes []Code
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, v := range vs.Values {
					typed := isIdent(vs.Type, "Code")
					if call, ok := v.(*ast.CallExpr); ok && isIdent(call.Fun, "Code") && len(call.Args) == 1 {
						typed, v = true, call.Args[0]
					}
					if !typed {
						continue
					}
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: Code %s is not a string literal", fset.Position(v.Pos()), vs.Names[i])
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					codes = append(codes, Code(s))
				}
			}
		}
	}
	return codes
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// TestAmongParentListNamesItemsInByteOrder: the message lists the parent's items as the
// database gives them, whatever order the parent's line wrote them in.
func TestAmongParentListNamesItemsInByteOrder(t *testing.T) {
	rule := AmongParentList("site", "sites", "projet_sites", "id_projet", "site", SiteNotInProject)
	for _, sites := range []string{"Nantes|Lyon|Évry", "Évry|Lyon|Nantes", "Lyon|Nantes|Évry"} {
		v := rule.Check(benchRow{"site": "Paris"}, benchRow{"sites": sites})
		if v == nil || v.Detail != `site "Paris" is not among Lyon|Nantes|Évry` {
			t.Errorf("sites %s: %v", sites, v)
		}
	}
}
