package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"dmt/pkg/atomicfile"
	"dmt/pkg/cli"
	"dmt/pkg/rapport"
)

// docSource is doc.go, whose comment is the manual -h prints: one text for both.
//
//go:embed doc.go
var docSource string

const (
	htmlFile = "rapport_final.html"
	mdFile   = "rapport_final.md"
)

func main() { cli.Main("rapport", run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("rapport", docSource, stdout)
	dsn := cli.DSN(fs)
	domainName := cli.Domain(fs)
	out := cli.Out(fs, ".", "folder for rapport_final.html and rapport_final.md")
	since := fs.String("since", "", "report on the runs started on or after this date, YYYY-MM-DD (default: the whole journal)")
	title := fs.String("title", "", "the report's title (default \"Rapport final de migration (DOMAIN)\")")
	today := cli.TodayFlag(fs, "the date of the stock state (distributech)")
	if err := cli.ParseFlagsOnly(fs, args); err != nil {
		return err
	}
	d, err := cli.LookupDomain(*domainName)
	if err != nil {
		return err
	}
	if *since != "" {
		if _, err := time.Parse(time.DateOnly, *since); err != nil {
			return cli.Usagef("-since: want YYYY-MM-DD, got %q", *since)
		}
	}
	day, err := today()
	if err != nil {
		return err
	}
	if err := cli.RequireDSN(*dsn); err != nil {
		return err
	}
	rr, err := cli.OpenRead(ctx, *dsn, d.Name)
	if err != nil {
		return err
	}
	db := rr.DB
	defer db.Close()
	f := &rapport.Facts{Title: *title, Domain: d.Name, Database: rr.Where, RunID: rr.ID, Generated: rr.Started, Since: *since, Today: day.String()}
	if f.Title == "" {
		f.Title = "Rapport final de migration (" + d.Name + ")"
	}
	h, err := db.ReadHistory(ctx, d, f.Since, f.Today)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Database, err)
	}
	f.History = *h
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	htmlPath, mdPath := filepath.Join(*out, htmlFile), filepath.Join(*out, mdFile)
	if err := atomicfile.WriteFile(htmlPath, f.RunID, f.WriteHTML); err != nil {
		return fmt.Errorf("write %s: %w", htmlFile, err)
	}
	if err := atomicfile.WriteFile(mdPath, f.RunID, f.WriteMarkdown); err != nil {
		return fmt.Errorf("write %s: %w", mdFile, err)
	}
	last := "no validation"
	if v := f.LastValidation(); v != nil {
		last = "last validation " + v.Status + " on " + v.Started.UTC().Format(time.DateOnly)
	}
	t := f.Totals()
	fmt.Fprintf(stderr, "rapport: wrote %s and %s (%d rows read in %d files; %s)\n", htmlPath, mdPath, t.Read, len(f.Files), last)
	return nil
}
