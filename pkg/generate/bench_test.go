package generate_test

import (
	"context"
	"testing"

	"dmt/pkg/generate"
)

// BenchmarkGenerate writes 100,000 affectations with their parents (a tenth of the
// 1,000,000 target), with 4 % defects; see scripts/bench.sh for the full size.
func BenchmarkGenerate(b *testing.B) {
	cfg := generate.Config{Seed: 1, Clients: 6000, Intervenants: 1200, Projets: 25000, Affectations: 100000, Defects: 0.04, Today: today}
	dir := b.TempDir()
	for range b.N {
		if _, err := generate.Run(context.Background(), cfg, dir); err != nil {
			b.Fatal(err)
		}
	}
}
