// Package generate writes realistic clevity test data: the four CSV files of the
// contract, clean by default, with defects on request and a manifest of every defect
// as ground truth. It is deterministic: the same Config gives the same bytes on any
// machine (math/rand/v2's PCG, our own word lists, no map iteration in output order).
// Files are streamed; memory holds the parents children need, not the rows.
package generate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// Config says what to generate.
type Config struct {
	Seed                                         uint64
	Clients, Intervenants, Projets, Affectations int
	Defects                                      float64 // share of rows that carry a defect
	Corrupt                                      int     // rows of projets_corrompus.csv; 0: none
	Today                                        model.Date
	Agencies                                     bool // each file in the dialect of another agency
	// RunID names the run: a file of the output folder it replaces with other bytes is
	// kept as NAME.<RunID>.EXT (atomicfile.Backup); empty, a new run id.
	RunID string
}

// Dialect is how an agency writes its file.
type Dialect struct {
	Comma        rune
	CRLF, BOM    bool
	Windows1252  bool
	DayFirst     bool // dates as DD/MM/YYYY
	DecimalComma bool // decimals as 12500,50
}

// canonical is the contract's canonical form.
var canonical = Dialect{Comma: ','}

// agencyDialects are the forms data_1's files arrive in.
var agencyDialects = map[string]Dialect{
	"clients":      {Comma: ';', CRLF: true, Windows1252: true, DayFirst: true, DecimalComma: true},
	"intervenants": {Comma: ',', BOM: true},
	"projets":      {Comma: ',', CRLF: true},
	"affectations": {Comma: ';', DecimalComma: true},
}

// Summary is what a run wrote.
type Summary struct {
	Files   []FileSummary
	Defects map[rules.Code]int
	// Kept are the files of the output folder the run replaced or set aside, under the
	// names they are kept as (NAME.<run_id>.EXT), relative to the folder.
	Kept []string
}

// FileSummary counts the rows of one written file.
type FileSummary struct {
	Name    string
	Rows    int
	Defects int
}

// Expectations of a defect in the manifest.
const (
	ExpectAccept = "accept" // only the form changed: the row must load
	ExpectReject = "reject"
	ExpectIgnore = "ignore"
)

// FormVariant is the manifest code of a defect that only changes a value's form.
const FormVariant rules.Code = "FORM_VARIANT"

// ManifestRow is a line of defects.csv, the manifest of every defect injected, which
// tests take as ground truth: the row at Line of File (id ID) carries a defect of Code
// in Column, and must be accepted, rejected or ignored (Expect).
type ManifestRow struct {
	File   string     `csv:"file"`
	Line   int        `csv:"line"`
	ID     string     `csv:"id"`
	Column string     `csv:"column"`
	Code   rules.Code `csv:"code"`
	Expect string     `csv:"expect"`
	Detail string     `csv:"detail"`
}

// Run writes the files of cfg into dir (created when missing). The files are written
// in a staging folder inside dir and moved into place only once all of them are
// complete, so that a run stopped by ctx or by an error leaves dir as it was; ctx is
// checked before each row, and its error comes back when it is done. A file of dir that
// a new one replaces is kept as NAME.<run_id>.EXT unless it holds the same bytes (see
// stage); Summary.Kept names them. A request the
// parents cannot satisfy (more affectations than distinct keys) is an error saying how
// many are possible.
func Run(ctx context.Context, cfg Config, dir string) (Summary, error) {
	if cfg.Today.IsZero() {
		cfg.Today = model.NewDate(time.Now())
	}
	st, err := newStage(dir, cfg.RunID)
	if err != nil {
		return Summary{}, err
	}
	defer st.discard()
	g := &gen{ctx: ctx, cfg: cfg, dir: st.dir, stage: st, rnd: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		sum: Summary{Defects: map[rules.Code]int{}}}
	if g.manifest, err = createManifest[ManifestRow](g, "defects.csv"); err != nil {
		return Summary{}, err
	}
	steps := []func() error{g.clients, g.intervenants, g.projets, g.affectations}
	if cfg.Corrupt > 0 {
		steps = append(steps, g.corrupt)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			g.closeAll()
			return Summary{}, err
		}
	}
	if err := g.manifest.Close(); err != nil {
		return Summary{}, err
	}
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	if g.sum.Kept, err = st.commit(); err != nil {
		return Summary{}, err
	}
	return g.sum, nil
}

type gen struct {
	ctx      context.Context // checked before each row: cancelled, the run stops
	cfg      Config
	dir      string // the staging folder files are written in
	stage    *stage
	outputs  []*output // every file created, closed at the end or on failure
	rnd      *rand.Rand
	manifest *manifest[ManifestRow] // defects.csv
	sum      Summary

	clientIDs    []int         // valid clients, for projets to refer to
	clientEmails []string      // e-mails of valid clients, for EMAIL_TAKEN
	staff        []staffMember // valid intervenants
	staffEmails  []string
	projects     []project // valid projets
	maxClient    int
	maxStaff     int
	maxProjet    int
}

type staffMember struct {
	id     int
	agency string
}

type project struct {
	id         int
	typ        string
	statut     string
	debut, fin model.Date // fin zero: open
	sites      []string
	clientID   int
	titre      string
	budget     string
	note       string
}

func (g *gen) dialect(entity string) Dialect {
	if g.cfg.Agencies {
		return agencyDialects[entity]
	}
	return canonical
}

func (g *gen) pick(list []string) string { return list[g.rnd.IntN(len(list))] }

func (g *gen) chance(p float64) bool { return g.rnd.Float64() < p }

// between returns a date uniformly in [from, to].
func (g *gen) between(from, to model.Date) model.Date {
	days := int(to.Time().Sub(from.Time()).Hours() / 24)
	if days <= 0 {
		return from
	}
	return from.AddDays(g.rnd.IntN(days + 1))
}

func date(y int, m time.Month, d int) model.Date { return model.Date{Year: y, Month: m, Day: d} }

// slug makes the ASCII, lower-case form of a name for e-mail addresses.
func slug(s string) string {
	f := rules.Fold(s)
	var b strings.Builder
	for _, r := range f {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '_' || r == '\'':
			b.WriteByte('-')
		}
	}
	out := b.String()
	for strings.Contains(out, "--") {
		out = strings.ReplaceAll(out, "--", "-")
	}
	return strings.Trim(out, "-")
}

// uniqueEmail returns local@domain, with a number added when it is taken.
func uniqueEmail(taken map[string]bool, local, domain string) string {
	e := local + "@" + domain
	for n := 2; taken[e]; n++ {
		e = local + strconv.Itoa(n) + "@" + domain
	}
	taken[e] = true
	return e
}

func (g *gen) formatDate(d model.Date, dl Dialect) string {
	if d.IsZero() {
		return ""
	}
	if dl.DayFirst {
		return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
	}
	return d.String()
}

func formatDecimal(s string, dl Dialect) string {
	if dl.DecimalComma {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}

// money returns a decimal(12,2) canonical text between lo and hi euros.
func (g *gen) money(lo, hi int) string {
	cents := int64(lo)*100 + g.rnd.Int64N(int64(hi-lo)*100)
	if g.chance(0.6) {
		cents = cents / 10000 * 10000 // round budgets are common
	}
	return model.Decimal{Units: cents, Scale: 2}.String()
}

func (g *gen) defect() bool { return g.cfg.Defects > 0 && g.chance(g.cfg.Defects) }

// record notes a defect in the manifest.
func (g *gen) record(file string, line int, id, column string, code rules.Code, expect, detail string) error {
	g.sum.Defects[code]++
	return g.manifest.add(ManifestRow{File: file, Line: line, ID: id, Column: column, Code: code, Expect: expect, Detail: detail})
}

func (g *gen) path(name string) string { return filepath.Join(g.dir, name) }

// stopped returns the context's error once the run has been cancelled.
func (g *gen) stopped() error { return g.ctx.Err() }
