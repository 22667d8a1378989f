package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"dmt/pkg/cli"
	"dmt/pkg/generate"
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

const manual = `generate_data: write realistic clevity test CSVs, clean or with defects and their manifest.

Usage:
  generate_data [-seed N] [-out DIR] [-clients N] [-intervenants N] [-projets N]
                [-affectations N] [-defects RATE] [-corrupt N] [-agencies] [-today DATE]

Same seed and flags, same bytes. defects.csv lists every injected defect.

Example:
  generate_data -seed 42 -out sample -defects 0.04
  generate_data -seed 1 -today 2026-11-15 -clients 800 -intervenants 150 -projets 3000 -affectations 12000 -defects 0.04 -corrupt 200 -agencies -out data_1`

func main() { cli.Main("generate_data", run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("generate_data", manual, stderr)
	seed := fs.Uint64("seed", 1, "random seed: the same seed and flags give the same files")
	out := cli.Out(fs, ".", "folder to write the CSV files into (created when missing)")
	clients := fs.Int("clients", 200, "number of clients")
	intervenants := fs.Int("intervenants", 50, "number of intervenants")
	projets := fs.Int("projets", 600, "number of projets")
	affectations := fs.Int("affectations", 2400, "number of affectations")
	defects := fs.Float64("defects", 0, "share of rows with a defect, 0 to 1 (0.04: about 4 %)")
	corrupt := fs.Int("corrupt", 0, "also write projets_corrompus.csv with this many rows")
	agencies := fs.Bool("agencies", false, "write each file in another agency's dialect")
	today := fs.String("today", "", "date the data is generated around, YYYY-MM-DD (default: today)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return cli.Usagef("unexpected argument %q", fs.Arg(0))
	}
	if *defects < 0 || *defects > 1 {
		return cli.Usagef("-defects %v: want a share between 0 and 1", *defects)
	}
	for name, n := range map[string]int{"clients": *clients, "intervenants": *intervenants, "projets": *projets, "affectations": *affectations, "corrupt": *corrupt} {
		if n < 0 {
			return cli.Usagef("-%s %d: want a count >= 0", name, n)
		}
	}
	if (*projets > 0 && *clients == 0) || (*affectations > 0 && (*projets == 0 || *intervenants == 0)) {
		return cli.Usagef("projets need clients, affectations need projets and intervenants")
	}
	cfg := generate.Config{Seed: *seed, Clients: *clients, Intervenants: *intervenants, Projets: *projets,
		Affectations: *affectations, Defects: *defects, Corrupt: *corrupt, Agencies: *agencies}
	if *today != "" {
		d, err := rules.ParseDate(*today)
		if err != nil {
			return cli.Usagef("-today %q: not a date", *today)
		}
		cfg.Today = d
	} else {
		cfg.Today = model.NewDate(time.Now())
	}
	start := time.Now()
	sum, err := generate.Run(cfg, *out)
	if err != nil {
		return fmt.Errorf("generate into %s: %w", *out, err)
	}
	for _, f := range sum.Files {
		fmt.Fprintf(stderr, "%-28s %8d rows, %6d with a defect\n", f.Name, f.Rows, f.Defects)
	}
	codes := make([]string, 0, len(sum.Defects))
	for c := range sum.Defects {
		codes = append(codes, string(c))
	}
	slices.Sort(codes)
	for _, c := range codes {
		fmt.Fprintf(stderr, "  %-26s %6d\n", c, sum.Defects[rules.Code(c)])
	}
	fmt.Fprintf(stderr, "written to %s in %s\n", *out, time.Since(start).Round(time.Millisecond))
	return nil
}
