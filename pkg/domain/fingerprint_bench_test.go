package domain_test

import (
	"testing"

	"dmt/pkg/domain"
)

// BenchmarkFingerprint fingerprints a project row (with a list of sites), as the
// loader does for every row it sends.
func BenchmarkFingerprint(b *testing.B) {
	projets := domain.Clevity().Entity("projets")
	vals := []string{"123456", "4567", "Migration Exchange 2021", "integration", "termine", "2021-03-01", "2021-06-30", "48250.00", "4", "Lyon|Grenoble|Annecy"}
	b.ReportAllocs()
	for b.Loop() {
		projets.Fingerprint(vals)
	}
}
