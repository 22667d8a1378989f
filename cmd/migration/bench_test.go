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
	"dmt/pkg/mariadb/mariadbtest"
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

// BenchmarkLoad runs migration in-process on 20,000 affectations into a database of the
// test server whose parents an earlier run loaded (not timed): the client's whole
// pipeline with the server's part, the chunks' look-ups of parents, the checker's
// window and parent cache, the loaders writing with LOAD DATA.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	cfg := generate.Config{Seed: 1, Clients: 1250, Intervenants: 250, Projets: 5000, Affectations: 20000, Defects: 0.04,
		Today: model.Date{Year: 2026, Month: 11, Day: 15}}
	if _, err := generate.Run(ctx, cfg, filepath.Join(dir, "all")); err != nil {
		b.Fatal(err)
	}
	parents, load := filepath.Join(dir, "parents"), filepath.Join(dir, "load")
	for _, d := range []string{parents, load} {
		if err := os.Mkdir(d, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	for _, f := range []string{"clients.csv", "intervenants.csv", "projets.csv"} {
		if err := os.Link(filepath.Join(dir, "all", f), filepath.Join(parents, f)); err != nil {
			b.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "all", "affectations.csv"))
	if err != nil {
		b.Fatal(err)
	}
	header, _, _ := bytes.Cut(data, []byte("\n"))
	if err := os.WriteFile(filepath.Join(parents, "affectations.csv"), append(header, '\n'), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(load, "affectations.csv"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	migrate := func(args ...string) {
		err := run(ctx, append([]string{"-quiet", "-today", "2026-11-15", "-out", b.TempDir()}, args...), nil, io.Discard, io.Discard)
		var dp *cli.DataProblems
		if err != nil && !errors.As(err, &dp) {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dsn := mariadbtest.NewDatabase(b)
		migrate("-dsn", dsn, "-create-db", parents)
		b.StartTimer()
		migrate("-dsn", dsn, filepath.Join(load, "affectations.csv"))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*cfg.Affectations), "ns/row")
}
