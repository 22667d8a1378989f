package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"dmt/pkg/cli"
	"dmt/pkg/generate"
	"dmt/pkg/model"
)

// BenchmarkDryRun runs migration -dry-run without a database, in-process, on 20,000
// affectations with their parents (4 % defects): the client's whole pipeline (read,
// normalise, check, batch, rejected rows, log, reports) without the server's part.
func BenchmarkDryRun(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	cfg := generate.Config{Seed: 1, Clients: 1250, Intervenants: 250, Projets: 5000, Affectations: 20000, Defects: 0.04,
		Today: model.Date{Year: 2026, Month: 11, Day: 15}}
	if _, err := generate.Run(ctx, cfg, dir); err != nil {
		b.Fatal(err)
	}
	rows := 0
	for _, f := range []string{"clients.csv", "intervenants.csv", "projets.csv", "affectations.csv"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			b.Fatal(err)
		}
		rows += bytes.Count(data, []byte("\n")) - 1
	}
	outs := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		out, err := os.MkdirTemp(outs, "out")
		if err != nil {
			b.Fatal(err)
		}
		err = run(ctx, []string{"-dry-run", "-quiet", "-today", "2026-11-15", "-out", out, dir}, nil, io.Discard, io.Discard)
		var dp *cli.DataProblems
		if err != nil && !errors.As(err, &dp) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}
