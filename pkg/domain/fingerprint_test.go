package domain_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"dmt/pkg/domain"
)

// recipe is the fingerprint as domain's doc comment describes it, written out apart
// from the code: values as sent, NULL as the byte 0, separated by the byte 31.
func recipe(vals ...string) string {
	enc := make([]string, len(vals))
	for i, v := range vals {
		enc[i] = v
		if v == "" {
			enc[i] = "\x00"
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(enc, "\x1f")))
	return hex.EncodeToString(sum[:])
}

func TestFingerprint(t *testing.T) {
	projets := domain.Clevity().Entity("projets")
	cases := []struct {
		name string
		vals []string
		want string // the recipe of the values with their list sorted
	}{
		{"plain", []string{"1", "2", "T", "audit", "termine", "2020-01-01", "2020-02-01", "10.00", "4", "Lyon"},
			recipe("1", "2", "T", "audit", "termine", "2020-01-01", "2020-02-01", "10.00", "4", "Lyon")},
		{"NULLs", []string{"1", "2", "T", "audit", "termine", "2020-01-01", "", "", "", ""},
			recipe("1", "2", "T", "audit", "termine", "2020-01-01", "", "", "", "")},
		{"list sorted by bytes", []string{"1", "2", "T", "audit", "termine", "2020-01-01", "", "", "", "Paris|Lyon|Évry|Brest"},
			recipe("1", "2", "T", "audit", "termine", "2020-01-01", "", "", "", "Brest|Lyon|Paris|Évry")},
		{"values short of the fields", []string{"1", "2"},
			recipe("1", "2", "", "", "", "", "", "", "", "")},
	}
	var reused domain.Fingerprinter
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := projets.Fingerprint(c.vals); got != c.want {
				t.Errorf("Fingerprint(%q) = %s, want %s", c.vals, got, c.want)
			}
			// A Fingerprinter used for earlier rows gives the same, after what dst holds.
			if got := string(reused.Append([]byte("x"), projets, c.vals)); got != "x"+c.want {
				t.Errorf("Fingerprinter.Append(%q) = %s, want x%s", c.vals, got, c.want)
			}
		})
	}
	vals := []string{"a", "", "c|b"}
	if got, want := domain.Fingerprint(vals), recipe("a", "", "c|b"); got != want {
		t.Errorf("Fingerprint(%q) = %s, want %s (no list: kept as is)", vals, got, want)
	}
}

// BenchmarkFingerprinter is BenchmarkFingerprint with one Fingerprinter for every row,
// as the loader uses it.
func BenchmarkFingerprinter(b *testing.B) {
	projets := domain.Clevity().Entity("projets")
	vals := []string{"123456", "4567", "Migration Exchange 2021", "integration", "termine", "2021-03-01", "2021-06-30", "48250.00", "4", "Lyon|Grenoble|Annecy"}
	var f domain.Fingerprinter
	var dst []byte
	b.ReportAllocs()
	for b.Loop() {
		dst = f.Append(dst[:0], projets, vals)
	}
}
