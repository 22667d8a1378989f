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
	"dmt/pkg/domain"
	"dmt/pkg/generate"
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// doc is doc.go, whose comment is the manual -h prints.
//
//go:embed doc.go
var doc string

// generator writes one registered domain's data.
type generator struct {
	// flags are the flags only this domain reads: another domain's run refuses them.
	flags []string
	// prepare checks the flags' values and returns what writes the files into a folder.
	prepare func(o *options) (write func(ctx context.Context, out string) (generate.Summary, error), err error)
}

// generators are the domains generate_data writes data for, by name: each is a domain
// registered in pkg/domain (a test holds it), listed in -domain's message in the
// registry's order.
var generators = map[string]generator{
	"clevity":      {flags: []string{"clients", "intervenants", "projets", "affectations", "corrupt", "agencies"}, prepare: clevity},
	"distributech": {flags: []string{"regions", "revendeurs", "produits", "weeks"}, prepare: distributech},
}

// generated returns the names of the registered domains that have a generator, in the
// registry's order.
func generated() []string {
	var names []string
	for _, n := range domain.Names() {
		if _, ok := generators[n]; ok {
			names = append(names, n)
		}
	}
	return names
}

// options are the parsed flags the generators read.
type options struct {
	seed                                                  uint64
	clients, intervenants, projets, affectations, corrupt int
	agencies                                              bool
	regions, revendeurs, produits, weeks                  int
	defects                                               float64
	today                                                 func() (model.Date, error)
	runID                                                 string // names the kept versions of the files replaced
}

func main() { cli.Main("generate_data", run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("generate_data", doc, stdout)
	var o options
	dom := cli.Domain(fs)
	fs.Uint64Var(&o.seed, "seed", 1, "random seed: the same seed and flags give the same files")
	out := cli.Out(fs, ".", "folder to write the files into (created when missing)")
	fs.IntVar(&o.clients, "clients", 200, "clevity: number of clients")
	fs.IntVar(&o.intervenants, "intervenants", 50, "clevity: number of intervenants")
	fs.IntVar(&o.projets, "projets", 600, "clevity: number of projets")
	fs.IntVar(&o.affectations, "affectations", 2400, "clevity: number of affectations")
	fs.IntVar(&o.corrupt, "corrupt", 0, "clevity: also write projets_corrompus.csv with this many rows")
	fs.BoolVar(&o.agencies, "agencies", false, "clevity: write each file in another agency's dialect")
	fs.IntVar(&o.regions, "regions", 5, fmt.Sprintf("distributech: number of regions, 1 to %d", generate.MaxRegions()))
	fs.IntVar(&o.revendeurs, "revendeurs", 60, "distributech: number of resellers")
	fs.IntVar(&o.produits, "produits", 400, "distributech: number of products")
	fs.IntVar(&o.weeks, "weeks", 8, "distributech: number of weekly order periods, the last one holding -today")
	fs.Float64Var(&o.defects, "defects", 0, "share of rows with a defect, 0 to 1 (0.04: about 4 %)")
	o.today = cli.TodayFlag(fs, "date the data is generated around")
	quiet := cli.Quiet(fs)
	if err := cli.ParseFlagsOnly(fs, args); err != nil {
		return err
	}
	if o.defects < 0 || o.defects > 1 {
		return cli.Usagef("-defects %v: want a share between 0 and 1", o.defects)
	}
	name := strings.ToLower(*dom)
	gen, ok := generators[name]
	if !ok {
		return cli.Usagef("-domain %q: want %s", *dom, strings.Join(generated(), " or "))
	}
	var misplaced error
	fs.Visit(func(f *flag.Flag) {
		for other, g := range generators {
			if other != name && slices.Contains(g.flags, f.Name) && misplaced == nil {
				misplaced = cli.Usagef("-%s is a %s flag, not for -domain %s", f.Name, other, name)
			}
		}
	})
	if misplaced != nil {
		return misplaced
	}
	start := time.Now()
	o.runID = cli.NewRunID(start)
	write, err := gen.prepare(&o)
	if err != nil {
		return err
	}
	sum, err := write(ctx, *out)
	if err != nil {
		return generateError(*out, err)
	}
	if !*quiet {
		report(stderr, sum, *out, start)
	}
	return nil
}

// distributech checks the distributech flags and returns its generator.
func distributech(o *options) (func(ctx context.Context, out string) (generate.Summary, error), error) {
	for f, n := range map[string]int{"revendeurs": o.revendeurs, "produits": o.produits, "weeks": o.weeks} {
		if n < 1 {
			return nil, cli.Usagef("-%s %d: want a count >= 1", f, n)
		}
	}
	if o.regions < 1 || o.regions > generate.MaxRegions() {
		return nil, cli.Usagef("-regions %d: want 1 to %d", o.regions, generate.MaxRegions())
	}
	day, err := o.today()
	if err != nil {
		return nil, err
	}
	cfg := generate.DistributechConfig{Seed: o.seed, Regions: o.regions, Revendeurs: o.revendeurs, Produits: o.produits,
		Weeks: o.weeks, Defects: o.defects, Today: day, RunID: o.runID}
	return func(ctx context.Context, out string) (generate.Summary, error) {
		return generate.RunDistributech(ctx, cfg, out)
	}, nil
}

// clevity checks the clevity flags and returns its generator.
func clevity(o *options) (func(ctx context.Context, out string) (generate.Summary, error), error) {
	for name, n := range map[string]int{"clients": o.clients, "intervenants": o.intervenants, "projets": o.projets, "affectations": o.affectations, "corrupt": o.corrupt} {
		if n < 0 {
			return nil, cli.Usagef("-%s %d: want a count >= 0", name, n)
		}
	}
	if (o.projets > 0 && o.clients == 0) || (o.affectations > 0 && (o.projets == 0 || o.intervenants == 0)) {
		return nil, cli.Usagef("projets need clients, affectations need projets and intervenants")
	}
	cfg := generate.Config{Seed: o.seed, Clients: o.clients, Intervenants: o.intervenants, Projets: o.projets,
		Affectations: o.affectations, Defects: o.defects, Corrupt: o.corrupt, Agencies: o.agencies, RunID: o.runID}
	day, err := o.today()
	if err != nil {
		return nil, err
	}
	cfg.Today = day
	return func(ctx context.Context, out string) (generate.Summary, error) { return generate.Run(ctx, cfg, out) }, nil
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
	if n := len(sum.Kept); n > 0 {
		names := sum.Kept
		if n > 3 {
			names = append(names[:3:3], "...")
		}
		files := "files"
		if n == 1 {
			files = "file"
		}
		fmt.Fprintf(stderr, "kept %d earlier %s it replaced or set aside, under this run's id: %s\n", n, files, strings.Join(names, ", "))
	}
}
