package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"dmt/pkg/atomicfile"
	"dmt/pkg/cli"
	"dmt/pkg/csvfile"
	"dmt/pkg/mariadb"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// doc is doc.go, whose comment is the manual -h prints.
//
//go:embed doc.go
var doc string

const (
	etatFile      = "etat_stock_par_produit.csv"
	evolutionFile = "evolution_stock.csv"
	chartBase     = "alertes_stock" // .svg or .html
)

func main() { cli.Main("analyse_stock", run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("analyse_stock", doc, stdout)
	dsn := cli.DSN(fs)
	out := cli.Out(fs, ".", "folder for "+etatFile+", "+evolutionFile+" and the chart (created when missing)")
	atFlag := fs.String("at", "", "state at the end of this date, YYYY-MM-DD (default: today, the local date)")
	excel := fs.Bool("excel", false, "write the CSV files for French Excel: ';', UTF-8 with BOM, CRLF")
	etatTo := fs.String("etat", "", "- to write only the stock state, to stdout")
	evolutionTo := fs.String("evolution", "", "- to write only the weekly evolution, to stdout")
	chartAs := fs.String("chart", "", "also draw the products under their threshold: svg or html ("+chartBase+".svg|.html in -out)")
	quiet := cli.Quiet(fs)
	if err := cli.ParseFlagsOnly(fs, args); err != nil {
		return err
	}
	at := cli.Today().String()
	if *atFlag != "" {
		d, err := time.Parse(time.DateOnly, *atFlag)
		if err != nil {
			return cli.Usagef("-at: want YYYY-MM-DD, got %q", *atFlag)
		}
		at = d.Format(time.DateOnly)
	}
	for flag, v := range map[string]string{"etat": *etatTo, "evolution": *evolutionTo} {
		if v != "" && v != "-" {
			return cli.Usagef("-%s %s: only - (stdout) is allowed; the files are named in -out", flag, v)
		}
	}
	// The files go into -out, unless one of them goes to stdout: then only that one.
	etatPath, evoPath := filepath.Join(*out, etatFile), filepath.Join(*out, evolutionFile)
	switch {
	case *etatTo == "-" && *evolutionTo == "-":
		return cli.Usagef("-etat - and -evolution -: only one of them can go to stdout")
	case *etatTo == "-":
		etatPath, evoPath = "-", ""
	case *evolutionTo == "-":
		etatPath, evoPath = "", "-"
	}
	chartPath, html := "", false
	switch strings.ToLower(*chartAs) {
	case "":
	case "svg":
		chartPath = filepath.Join(*out, chartBase+".svg")
	case "html":
		chartPath, html = filepath.Join(*out, chartBase+".html"), true
	default:
		return cli.Usagef("-chart %s: want svg or html", *chartAs)
	}
	if etatPath != "-" && evoPath != "-" || chartPath != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fmt.Errorf("output folder: %w", err)
		}
	}
	if err := cli.RequireDSN(*dsn); err != nil {
		return err
	}

	rr, err := cli.OpenRead(ctx, *dsn, "distributech")
	if err != nil {
		return err
	}
	db, runID, where := rr.DB, rr.ID, rr.Where
	defer db.Close()
	if err := rr.Record(ctx, "analyse_stock", args); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	summary, warning, err := export(ctx, db, exportJob{at: at, etat: etatPath, evolution: evoPath, chart: chartPath, html: html,
		dialect: dialect(*excel), stdout: stdout, runID: runID})
	status, msg := store.StatusOK, summary
	switch {
	case err != nil:
		status, msg = store.StatusFailed, err.Error()
	case warning != "":
		status, msg = store.StatusDataErrors, summary+"; "+warning
	}
	if ferr := db.FinishRun(runID, status, store.Counts{}, msg); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if warning == "" && *quiet {
		return nil
	}
	fmt.Fprintf(stderr, "analyse_stock: %s\n", summary)
	if warning != "" {
		return &cli.DataProblems{Msg: "warning: " + warning}
	}
	return nil
}

// dialect is the CSV form written: plain RFC 4180, or what French Excel opens as is.
func dialect(excel bool) csvfile.WriterOptions {
	if excel {
		return csvfile.WriterOptions{Comma: ';', CRLF: true, BOM: true}
	}
	return csvfile.WriterOptions{}
}

// exportJob is what one run writes, and where ("-" is stdout, "" nothing).
type exportJob struct {
	at              string
	etat, evolution string
	chart           string
	html            bool
	dialect         csvfile.WriterOptions
	stdout          io.Writer
	runID           string // names the kept versions of the files replaced
}

// export reads the stock from db, writes the files of job and returns the summary line,
// and a warning when no product had a stock snapshot at the date: the files are
// written, but say nothing of the stock.
func export(ctx context.Context, db *mariadb.DB, job exportJob) (summary, warning string, err error) {
	states, err := db.StockStates(ctx, job.at)
	if err != nil {
		return "", "", err
	}
	if len(states) > 0 && !slices.ContainsFunc(states, func(s mariadb.StockState) bool { return s.Inventoried }) {
		first, ok, err := db.FirstInventory(ctx)
		switch {
		case err != nil:
			return "", "", err
		case ok:
			warning = fmt.Sprintf("-at %s is before the first stock snapshot (%s): every product is %s", job.at, first, rules.StockSansInventaire)
		default:
			warning = "the database holds no stock snapshot: every product is " + rules.StockSansInventaire
		}
	}
	var weeks []mariadb.StockWeek
	if job.evolution != "" || job.chart != "" {
		if weeks, err = db.StockEvolution(ctx, job.at); err != nil {
			return "", "", err
		}
	}
	var wrote []string
	if job.etat != "" {
		if err := output(job.etat, job.runID, job.stdout, func(w io.Writer) error { return writeEtat(w, job.dialect, states, job.at) }); err != nil {
			return "", "", fmt.Errorf("write %s: %w", name(job.etat), err)
		}
		wrote = append(wrote, name(job.etat))
	}
	if job.evolution != "" {
		if err := output(job.evolution, job.runID, job.stdout, func(w io.Writer) error { return writeEvolution(w, job.dialect, weeks) }); err != nil {
			return "", "", fmt.Errorf("write %s: %w", name(job.evolution), err)
		}
		wrote = append(wrote, name(job.evolution))
	}
	if job.chart != "" {
		c := newChart(job.at, states, weeks)
		if err := atomicfile.WriteFile(job.chart, job.runID, func(w io.Writer) error { return writeSVG(w, c, job.html) }); err != nil {
			return "", "", fmt.Errorf("write chart: %w", err)
		}
		wrote = append(wrote, job.chart)
	}
	counts := map[string]int{}
	for _, s := range states {
		counts[status(s)]++
	}
	summary = fmt.Sprintf("%d products, %d %s, %d %s, %d %s at %s; wrote %s", len(states), counts[rules.StockSousSeuil], rules.StockSousSeuil,
		counts[rules.StockRupture], rules.StockRupture, counts[rules.StockSansInventaire], rules.StockSansInventaire, job.at, strings.Join(wrote, ", "))
	return summary, warning, nil
}

// name is how the summary names an output.
func name(path string) string {
	if path == "-" {
		return "stdout"
	}
	return path
}

// output writes to stdout for "-", else to path through a temporary file, keeping the
// file it replaces as NAME.<run_id>.EXT.
func output(path, runID string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	return atomicfile.WriteFile(path, runID, write)
}

// status is the product's state at the date (mariadb.StockState.Status, which the
// final report shares).
func status(s mariadb.StockState) string { return s.Status() }

// etatRow is a line of etat_stock_par_produit.csv: the contract's columns, then the
// price in force.
type etatRow struct {
	Ref        string `csv:"ref_produit"`
	Nom        string `csv:"nom"`
	Categorie  string `csv:"categorie"`
	Initial    int64  `csv:"stock_initial"`
	Receptions int64  `csv:"total_receptions"`
	Commandes  int64  `csv:"total_commandes"`
	Actuel     int64  `csv:"stock_actuel"`
	Seuil      int64  `csv:"seuil_alerte"`
	Statut     string `csv:"statut"`
	Date       string `csv:"date_etat"`
	Prix       string `csv:"prix_unitaire"`
}

// evolutionRow is a line of evolution_stock.csv.
type evolutionRow struct {
	Ref   string `csv:"ref_produit"`
	Week  string `csv:"semaine"`
	Stock int64  `csv:"stock_fin_semaine"`
}

// writeEtat writes the contract's etat_stock_par_produit.csv, and the price in force
// after its columns (with a decimal comma for French Excel, which reads "9.90" as text).
func writeEtat(w io.Writer, opt csvfile.WriterOptions, states []mariadb.StockState, at string) error {
	cw := csvfile.NewWriter(w, opt)
	enc := csvfile.NewEncoder[etatRow](cw)
	for _, s := range states {
		prix := s.Prix
		if opt.Comma == ';' {
			prix = strings.Replace(prix, ".", ",", 1)
		}
		enc.Encode(etatRow{Ref: s.Ref, Nom: s.Nom, Categorie: s.Categorie, Initial: s.Initial, Receptions: s.Receptions,
			Commandes: s.Commandes, Actuel: s.Actuel, Seuil: s.Seuil, Statut: status(s), Date: at, Prix: prix})
	}
	return cw.Close() // write errors are sticky: Close reports the first
}

// writeEvolution writes evolution_stock.csv.
func writeEvolution(w io.Writer, opt csvfile.WriterOptions, weeks []mariadb.StockWeek) error {
	cw := csvfile.NewWriter(w, opt)
	enc := csvfile.NewEncoder[evolutionRow](cw)
	for _, wk := range weeks {
		enc.Encode(evolutionRow{Ref: wk.Ref, Week: wk.Week, Stock: wk.Stock})
	}
	return cw.Close()
}
