package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"dmt/pkg/cli"
	"dmt/pkg/generate"
	"dmt/pkg/rules"
)

// doc is doc.go, whose comment is the manual -h prints.
//
//go:embed doc.go
var doc string

// domainFlags are the flags that only one domain reads.
var domainFlags = map[string][]string{
	"clevity":      {"clients", "intervenants", "projets", "affectations", "corrupt", "agencies"},
	"distributech": {"regions", "revendeurs", "produits", "weeks"},
}

func main() { cli.Main("generate_data", run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("generate_data", doc, stdout)
	dom := cli.Domain(fs)
	seed := fs.Uint64("seed", 1, "random seed: the same seed and flags give the same files")
	out := cli.Out(fs, ".", "folder to write the files into (created when missing)")
	clients := fs.Int("clients", 200, "clevity: number of clients")
	intervenants := fs.Int("intervenants", 50, "clevity: number of intervenants")
	projets := fs.Int("projets", 600, "clevity: number of projets")
	affectations := fs.Int("affectations", 2400, "clevity: number of affectations")
	corrupt := fs.Int("corrupt", 0, "clevity: also write projets_corrompus.csv with this many rows")
	agencies := fs.Bool("agencies", false, "clevity: write each file in another agency's dialect")
	regions := fs.Int("regions", 5, fmt.Sprintf("distributech: number of regions, 1 to %d", generate.MaxRegions()))
	revendeurs := fs.Int("revendeurs", 60, "distributech: number of resellers")
	produits := fs.Int("produits", 400, "distributech: number of products")
	weeks := fs.Int("weeks", 8, "distributech: number of weekly order periods, the last one holding -today")
	defects := fs.Float64("defects", 0, "share of rows with a defect, 0 to 1 (0.04: about 4 %)")
	today := cli.TodayFlag(fs, "date the data is generated around")
	quiet := cli.Quiet(fs)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return cli.Usagef("unexpected argument %q", fs.Arg(0))
	}
	if *defects < 0 || *defects > 1 {
		return cli.Usagef("-defects %v: want a share between 0 and 1", *defects)
	}
	name := strings.ToLower(*dom)
	if _, ok := domainFlags[name]; !ok {
		return cli.Usagef("-domain %q: want clevity or distributech", *dom)
	}
	var misplaced error
	fs.Visit(func(f *flag.Flag) {
		for other, flags := range domainFlags {
			if other != name && slices.Contains(flags, f.Name) && misplaced == nil {
				misplaced = cli.Usagef("-%s is a %s flag, not for -domain %s", f.Name, other, name)
			}
		}
	})
	if misplaced != nil {
		return misplaced
	}
	if name == "distributech" {
		for f, n := range map[string]int{"revendeurs": *revendeurs, "produits": *produits, "weeks": *weeks} {
			if n < 1 {
				return cli.Usagef("-%s %d: want a count >= 1", f, n)
			}
		}
		if *regions < 1 || *regions > generate.MaxRegions() {
			return cli.Usagef("-regions %d: want 1 to %d", *regions, generate.MaxRegions())
		}
		day, err := today()
		if err != nil {
			return err
		}
		cfg := generate.DistributechConfig{Seed: *seed, Regions: *regions, Revendeurs: *revendeurs, Produits: *produits,
			Weeks: *weeks, Defects: *defects, Today: day}
		start := time.Now()
		sum, err := generate.RunDistributech(ctx, cfg, *out)
		if err != nil {
			return generateError(*out, err)
		}
		if !*quiet {
			report(stderr, sum, *out, start)
		}
		return nil
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
	day, err := today()
	if err != nil {
		return err
	}
	cfg.Today = day
	start := time.Now()
	sum, err := generate.Run(ctx, cfg, *out)
	if err != nil {
		return generateError(*out, err)
	}
	if !*quiet {
		report(stderr, sum, *out, start)
	}
	return nil
}

// generateError says why nothing was written into out; the generator writes its files
// in a staging folder and moves them in only when all are complete.
func generateError(out string, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted; nothing written into %s", out)
	}
	return fmt.Errorf("generate into %s: %w", out, err)
}

// report prints what a run wrote: rows and defects per file, then defects per code.
func report(stderr io.Writer, sum generate.Summary, out string, start time.Time) {
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
	fmt.Fprintf(stderr, "written to %s in %s\n", out, time.Since(start).Round(time.Millisecond))
}
