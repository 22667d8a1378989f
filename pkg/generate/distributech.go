package generate

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // pure Go: writing the source file needs no cgo

	"dmt/pkg/atomicfile"
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// DistributechConfig says what distributech data to generate.
type DistributechConfig struct {
	Seed                          uint64
	Regions, Revendeurs, Produits int
	Weeks                         int     // weekly order periods; the last one holds Today
	Defects                       float64 // share of rows that carry a defect
	Today                         model.Date
	RunID                         string // as Config's: names the kept versions of the files replaced
}

// Names of what RunDistributech writes.
const (
	DistributechSQLite = "distributech.sqlite"
	OrdersDir          = "commandes"
)

// OrderColumns is the header of the weekly order files.
var OrderColumns = []string{"numero_commande", "id_revendeur", "date_commande", "ref_produit", "quantite", "prix_unitaire"}

// MaxRegions is the number of French regions RunDistributech can name.
func MaxRegions() int { return len(frenchRegions) }

// OrderFileName returns the name of the order file of reseller id for the ISO week of
// day: commandes_2026-W07_R012.csv.
func OrderFileName(day model.Date, id int) string {
	y, w := day.Time().ISOWeek()
	return fmt.Sprintf("commandes_%04d-W%02d_R%03d.csv", y, w, id)
}

// RunDistributech writes distributech data into dir (created when missing): the
// wholesaler's SQLite file distributech.sqlite (regions, revendeurs, produits, stock,
// receptions), one order file per reseller and week in dir/commandes, and, when
// cfg.Defects > 0, defects.csv, the manifest of every injected defect. A previous
// SQLite file and previous order files in dir are replaced or set aside, so that the
// folder holds one run, and kept as NAME.<run_id>.EXT (see stage): none is lost. The
// same cfg gives the same CSV bytes and the same table contents. As Run,
// it writes in a staging folder and touches dir only once every file is complete: a
// run stopped by ctx (checked before each row planned, each order file written and
// each row inserted into SQLite) or by an error leaves dir as it was.
func RunDistributech(ctx context.Context, cfg DistributechConfig, dir string) (Summary, error) {
	if cfg.Today.IsZero() {
		cfg.Today = model.NewDate(time.Now())
	}
	switch {
	case cfg.Regions < 1 || cfg.Regions > len(frenchRegions):
		return Summary{}, fmt.Errorf("regions %d: want 1 to %d", cfg.Regions, len(frenchRegions))
	case cfg.Revendeurs < 1 || cfg.Produits < 1 || cfg.Weeks < 1:
		return Summary{}, fmt.Errorf("need at least one reseller, one product and one week")
	}
	st, err := newStage(dir, cfg.RunID)
	if err != nil {
		return Summary{}, err
	}
	defer st.discard()
	if err := os.Mkdir(filepath.Join(st.dir, OrdersDir), 0o755); err != nil {
		return Summary{}, err
	}
	g := &gen{ctx: ctx, cfg: Config{Seed: cfg.Seed, Defects: cfg.Defects, Today: cfg.Today}, dir: st.dir, stage: st,
		rnd: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)), sum: Summary{Defects: map[rules.Code]int{}}}
	if cfg.Defects > 0 {
		if g.manifest, err = createManifest[ManifestRow](g, "defects.csv"); err != nil {
			return Summary{}, err
		}
	}
	d := newDistributech(g, cfg)
	err = d.run()
	if g.manifest != nil {
		if cerr := g.manifest.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		g.closeAll()
		return Summary{}, err
	}
	orders := filepath.Join(dir, OrdersDir)
	if err := os.MkdirAll(orders, 0o755); err != nil { // there even when no reseller ordered
		return Summary{}, err
	}
	if err := st.check(); err != nil {
		return Summary{}, err
	}
	aside, err := setAsideStale(st, dir, orders, cfg.Defects > 0)
	if err != nil {
		return Summary{}, err
	}
	kept, err := st.commit()
	if err != nil {
		return Summary{}, err
	}
	g.sum.Kept = append(aside, kept...)
	return g.sum, nil
}

// setAsideStale sets aside, as NAME.<run_id>.EXT (atomicfile.SetAside), what an earlier
// run left in dir that this one does not write again, so that the folder holds one
// run's files and loses none: order files (their kept versions aside), the SQLite
// file's journal and WAL files, defects.csv when none is due. It runs once the new
// files are complete, just before they are moved in, and returns the names kept,
// relative to dir.
func setAsideStale(st *stage, dir, orders string, manifest bool) ([]string, error) {
	stale, err := filepath.Glob(filepath.Join(orders, "commandes_*.csv"))
	if err != nil {
		return nil, err
	}
	db := filepath.Join(dir, DistributechSQLite)
	stale = append(stale, db+"-journal", db+"-wal", db+"-shm")
	if !manifest {
		stale = append(stale, filepath.Join(dir, "defects.csv"))
	}
	var kept []string
	for _, p := range stale {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return kept, err
		}
		if atomicfile.IsBackup(filepath.Base(p)) || st.writes(rel) {
			continue
		}
		name, err := atomicfile.SetAside(p, st.runID)
		if err != nil {
			return kept, fmt.Errorf("set aside %s: %w", p, err)
		}
		if name != "" {
			rel, _ := filepath.Rel(dir, name)
			kept = append(kept, rel)
		}
	}
	return kept, nil
}

// distributech holds what the rows still to write refer to: the valid parents, and the
// plan of orders from which stock and receipts are sized.
type distributech struct {
	*gen
	cfg       DistributechConfig
	firstMon  model.Date // Monday of the first week
	inventory model.Date // date of the stock snapshot: the day before firstMon

	regions   []regionInfo // those of the file, by code
	resellers []reseller   // valid resellers
	products  []product    // valid products, by ref
	lastRefs  []lastRef    // the highest reference number of each category
	popular   []int        // cumulative popularity of products, for picking them
	files     []orderFile
	demand    [][]int // units ordered per product and week

	tables []*sqliteTable
	failed error // the first manifest write error
}

type lastRef struct {
	prefix string
	last   int
}

type reseller struct {
	id       int
	activity int // chance in % that it orders in a given week
}

type product struct {
	ref   string
	cents int64
	seuil int
	bulk  bool
}

// orderFile is one reseller's orders of one week.
type orderFile struct {
	week     int
	monday   model.Date
	reseller int
	orders   []order
}

type order struct {
	numero string
	date   model.Date
	lines  []orderLine
}

type orderLine struct {
	product int // index in products
	qty     int
	cents   int64
}

type receipt struct {
	date model.Date
	ref  string
	qty  int
}

func newDistributech(g *gen, cfg DistributechConfig) *distributech {
	today := cfg.Today
	lastMon := today.AddDays(-((int(today.Time().Weekday()) + 6) % 7))
	first := lastMon.AddDays(-7 * (cfg.Weeks - 1))
	return &distributech{gen: g, cfg: cfg, firstMon: first, inventory: first.AddDays(-1)}
}

func (d *distributech) run() error {
	regions := d.table("regions", "id_region INTEGER PRIMARY KEY", "nom TEXT")
	revendeurs := d.table("revendeurs", "id_revendeur INTEGER PRIMARY KEY", "nom TEXT", "id_region INTEGER", "email TEXT", "ville TEXT")
	produits := d.table("produits", "ref_produit TEXT", "nom TEXT", "categorie TEXT", "prix_unitaire REAL", "seuil_alerte INTEGER")
	stock := d.table("stock", "ref_produit TEXT", "quantite INTEGER", "date_inventaire TEXT")
	receptions := d.table("receptions", "id_reception INTEGER PRIMARY KEY", "ref_produit TEXT", "quantite INTEGER", "date_reception TEXT")
	steps := []func() error{
		func() error { return d.planRegions(regions) },
		func() error { return d.planResellers(revendeurs) },
		func() error { return d.planProducts(produits) },
		d.planOrders,
		func() error { return d.planStock(stock, receptions) },
		d.writeSQLite,
		d.writeOrders,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// sqliteTable is a table of distributech.sqlite, planned in memory: rows are text,
// stored with their column's type (a value that does not fit the type, such as the
// date "hier", is stored as text, as SQLite does).
type sqliteTable struct {
	name    string
	columns []string // "id_region INTEGER PRIMARY KEY"
	names   []string
	types   []string
	rows    [][]string
	defects int
	next    int // the kind of defect to try first
	started bool
}

func (d *distributech) table(name string, columns ...string) *sqliteTable {
	t := &sqliteTable{name: name, columns: columns}
	for _, c := range columns {
		f := strings.Fields(c)
		t.names = append(t.names, f[0])
		t.types = append(t.types, f[1])
	}
	d.tables = append(d.tables, t)
	return t
}

// file is the table's name in the manifest, as the migration's logs name it.
func (t *sqliteTable) file() string { return DistributechSQLite + ":" + t.name }

// add appends row to t, or, when the dice say so, one of defects (each kind in turn),
// and notes it in the manifest under the row's line: its position in rowid order plus 2, as if the table
// were exported under a header. It reports whether the row added is valid.
func (d *distributech) add(t *sqliteTable, id string, row []string, defectsOf func() []defect) bool {
	if d.defect() {
		defects := defectsOf()
		if !t.started { // then in turn: a small table shows every kind
			t.next, t.started = d.rnd.IntN(len(defects)), true
		}
		for i := range defects {
			k := (t.next + i) % len(defects)
			df := defects[k]
			changed := slices.Clone(row)
			if !df.apply(changed) {
				continue
			}
			t.next = k + 1
			valid := df.expect == ExpectAccept
			if df.code == rules.DuplicateRow || df.code == rules.DuplicateKeyConflict {
				t.rows = append(t.rows, row) // the original first, valid
				valid = true
			}
			t.rows = append(t.rows, changed)
			t.defects++
			d.note(t.file(), len(t.rows)+1, id, df)
			return valid
		}
	}
	t.rows = append(t.rows, row)
	return true
}

// note records a defect in the manifest; its write error comes back when the manifest
// is closed.
func (d *distributech) note(file string, line int, id string, df defect) {
	if err := d.record(file, line, id, df.column, df.code, df.expect, ""); err != nil && d.failed == nil {
		d.failed = err
	}
}

func (d *distributech) planRegions(t *sqliteTable) error {
	d.regions = slices.Clone(frenchRegions[:d.cfg.Regions])
	slices.SortFunc(d.regions, func(a, b regionInfo) int { return a.code - b.code })
	for _, r := range d.regions {
		t.rows = append(t.rows, []string{strconv.Itoa(r.code), r.nom})
	}
	return nil
}

func (d *distributech) planResellers(t *sqliteTable) error {
	total := 0
	for _, r := range d.regions {
		total += r.weight
	}
	var unknownRegions []int
	for _, c := range oldRegionCodes {
		if !slices.ContainsFunc(d.regions, func(r regionInfo) bool { return r.code == c }) {
			unknownRegions = append(unknownRegions, c)
		}
	}
	taken := map[string]bool{}
	names := map[string]bool{}
	var emails []string
	for id := 1; id <= d.cfg.Revendeurs; id++ {
		if err := d.stopped(); err != nil {
			return err
		}
		reg := d.regions[len(d.regions)-1]
		for n, i := d.rnd.IntN(total), 0; i < len(d.regions); i++ {
			if n -= d.regions[i].weight; n < 0 {
				reg = d.regions[i]
				break
			}
		}
		town := d.pick(reg.towns)
		var nom, base string
		for tries := 0; ; tries++ {
			p := resellerPatterns[d.rnd.IntN(len(resellerPatterns))]
			word := d.pick(companyWords)
			switch p.kind {
			case 1:
				word = d.pick(lastNames)
			case 2:
				word = town
			}
			base = fmt.Sprintf(p.format, word)
			if tries > 20 { // the names are running out
				base += " " + strconv.Itoa(id)
			}
			nom = base
			if d.chance(0.6) {
				nom += " " + d.pick(resellerForms)
			}
			if !names[base] || tries > maxNameTries { // with its id, the name is unique
				break
			}
		}
		names[base] = true
		email := uniqueEmail(taken, d.pick(orderMailboxes), slug(base)+".fr")
		ville := town
		if d.chance(0.03) {
			ville = ""
		}
		cols := t.names
		row := []string{strconv.Itoa(id), nom, strconv.Itoa(reg.code), email, ville}
		valid := d.add(t, strconv.Itoa(id), row, func() []defect {
			return []defect{
				set(cols, "id_region", rules.UnknownReference, ExpectReject, func([]string) (string, bool) {
					if len(unknownRegions) == 0 {
						return "", false
					}
					return strconv.Itoa(d.pickInt(unknownRegions)), true
				}),
				set(cols, "email", rules.EmailTaken, ExpectReject, func([]string) (string, bool) {
					if len(emails) == 0 {
						return "", false
					}
					return d.pick(emails), true
				}),
			}
		})
		if valid {
			d.resellers = append(d.resellers, reseller{id: id, activity: 60 + d.rnd.IntN(36)})
			emails = append(emails, email)
		}
	}
	if len(d.resellers) == 0 {
		return fmt.Errorf("no valid reseller to order: raise -revendeurs")
	}
	return nil
}

func (d *distributech) pickInt(list []int) int { return list[d.rnd.IntN(len(list))] }

func (d *distributech) planProducts(t *sqliteTable) error {
	cats := slices.Clone(catalogue)
	slices.SortFunc(cats, func(a, b category) int { return strings.Compare(a.prefix, b.prefix) })
	total := 0
	for _, c := range cats {
		total += c.weight
	}
	// Each category gets its share of the catalogue; what rounding leaves goes to the
	// largest ones.
	counts := make([]int, len(cats))
	left := d.cfg.Produits
	for i, c := range cats {
		counts[i] = d.cfg.Produits * c.weight / total
		left -= counts[i]
	}
	largest := make([]int, len(cats))
	for i := range largest {
		largest[i] = i
	}
	slices.SortStableFunc(largest, func(a, b int) int { return cats[b].weight - cats[a].weight })
	for i := 0; i < left; i++ {
		counts[largest[i%len(largest)]]++
	}
	names := map[string]bool{}
	cols := t.names
	sum := 0
	for ci, c := range cats {
		d.lastRefs = append(d.lastRefs, lastRef{c.prefix, counts[ci]})
		for n := 1; n <= counts[ci]; n++ {
			if err := d.stopped(); err != nil {
				return err
			}
			ref := fmt.Sprintf("%s-%04d", c.prefix, n)
			var nom string
			var it item
			for tries := 0; ; tries++ {
				it = c.items[d.rnd.IntN(len(c.items))]
				num := 2 + d.rnd.IntN(40)*(1+d.rnd.IntN(3))
				if tries > 20 { // the names are running out
					num = 1000 + n
				}
				nom = fmt.Sprintf("%s %s %s %d %s", it.kind, d.pick(brands), d.pick(c.series), num, d.pick(it.specs))
				if tries == maxNameTries { // its reference makes it unique
					nom += " " + ref
				}
				if !names[nom] || tries == maxNameTries {
					break
				}
			}
			names[nom] = true
			cents := d.price(it.price[0], it.price[1])
			seuil := c.seuil[0] + d.rnd.IntN(c.seuil[1]-c.seuil[0]+1)
			row := []string{ref, nom, c.nom, priceText(cents), strconv.Itoa(seuil)}
			valid := d.add(t, ref, row, func() []defect {
				return []defect{
					set(cols, "prix_unitaire", rules.OutOfRange, ExpectReject, func(row []string) (string, bool) { return "-" + row[3], true }),
					set(cols, "nom", rules.DuplicateKeyConflict, ExpectReject, func(row []string) (string, bool) {
						return row[1] + " (ancien modèle)", true
					}),
					{code: rules.DuplicateRow, column: "ref_produit", expect: ExpectIgnore, apply: func([]string) bool { return true }},
				}
			})
			if valid {
				d.products = append(d.products, product{ref: ref, cents: cents, seuil: seuil, bulk: c.bulk})
				// A few best sellers, many products ordered now and then.
				w := 1 + d.rnd.IntN(6)
				if d.chance(0.15) {
					w *= 6
				}
				sum += w
				d.popular = append(d.popular, sum)
			}
		}
	}
	if len(d.products) == 0 {
		return fmt.Errorf("no valid product to order: raise -produits")
	}
	return nil
}

// price returns a catalogue price in cents between lo and hi euros, low prices more
// likely, ending as shop prices do (.90, .99, .00, .50).
func (d *distributech) price(lo, hi int) int64 {
	euros := lo + min(d.rnd.IntN(hi-lo+1), d.rnd.IntN(hi-lo+1))
	return int64(euros)*100 + []int64{90, 99, 99, 0, 50, 90}[d.rnd.IntN(6)]
}

// priceText is a price as SQLite gives back a REAL: 249.9, 249, 249.99.
func priceText(cents int64) string {
	s := model.Decimal{Units: cents, Scale: 2}.String()
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// weekMonday returns the Monday of week w (0: the first).
func (d *distributech) weekMonday(w int) model.Date { return d.firstMon.AddDays(7 * w) }

// weekDay returns a working day of the week starting on monday, not after today;
// Saturdays are rare.
func (d *distributech) weekDay(monday model.Date) model.Date {
	off := d.rnd.IntN(5)
	if d.chance(0.05) {
		off = 5
	}
	last := int(d.cfg.Today.Time().Sub(monday.Time()).Hours() / 24)
	if off > last {
		off = d.rnd.IntN(last + 1)
	}
	return monday.AddDays(off)
}

// planOrders draws the valid orders of every reseller and week, and what they take of
// each product.
func (d *distributech) planOrders() error {
	d.demand = make([][]int, len(d.products))
	for i := range d.demand {
		d.demand[i] = make([]int, d.cfg.Weeks)
	}
	for w := range d.cfg.Weeks {
		monday := d.weekMonday(w)
		y, wk := monday.Time().ISOWeek()
		for _, r := range d.resellers {
			if err := d.stopped(); err != nil {
				return err
			}
			if d.rnd.IntN(100) >= r.activity {
				continue
			}
			n := []int{1, 1, 1, 1, 1, 1, 1, 2, 2, 3}[d.rnd.IntN(10)]
			dates := make([]model.Date, n)
			for i := range dates {
				dates[i] = d.weekDay(monday)
			}
			slices.SortFunc(dates, func(a, b model.Date) int { return a.Compare(b) })
			f := orderFile{week: w, monday: monday, reseller: r.id}
			for i, day := range dates {
				o := order{numero: fmt.Sprintf("CMD-%04dW%02d-R%03d-%02d", y, wk, r.id, i+1), date: day}
				nlines := min([]int{1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8}[d.rnd.IntN(14)], len(d.products))
				var picked []int
				for draws := 0; len(picked) < nlines; draws++ {
					p := d.popularProduct()
					if draws >= maxKeyDraws { // the popular ones are taken: the first one left
						for i := range d.products {
							if !slices.Contains(picked, i) {
								p = i
								break
							}
						}
					}
					if slices.Contains(picked, p) {
						continue
					}
					picked = append(picked, p)
					prod := d.products[p]
					qty := []int{1, 1, 1, 2, 2, 3, 4, 5, 5, 6, 8, 10, 12, 15, 20}[d.rnd.IntN(15)]
					if prod.bulk {
						qty = []int{5, 10, 10, 10, 15, 20, 20, 25, 30, 40, 50}[d.rnd.IntN(11)]
					}
					cents := prod.cents
					if d.chance(0.25) { // a negotiated discount
						cents = cents * int64(100-3-d.rnd.IntN(13)) / 100
					}
					o.lines = append(o.lines, orderLine{product: p, qty: qty, cents: cents})
					d.demand[p][w] += qty
				}
				f.orders = append(f.orders, o)
			}
			d.files = append(d.files, f)
		}
	}
	return nil
}

func (d *distributech) popularProduct() int {
	n := d.rnd.IntN(d.popular[len(d.popular)-1])
	i, _ := slices.BinarySearch(d.popular, n+1)
	return i
}

// planStock sizes the snapshot and the receipts of each product after its orders: a
// product is restocked when the week's orders would take it under its alert threshold,
// so that stock covers orders most of the time; a few products start low, and a few
// are never restocked (a supplier's shortage) and may run out.
func (d *distributech) planStock(stock, receptions *sqliteTable) error {
	var receipts []receipt
	cols := stock.names
	for i, p := range d.products {
		if err := d.stopped(); err != nil {
			return err
		}
		total := 0
		for _, q := range d.demand[i] {
			total += q
		}
		perWeek := total / d.cfg.Weeks
		qty := p.seuil + perWeek*(1+d.rnd.IntN(4)) + d.rnd.IntN(p.seuil+1)
		if d.chance(0.12) {
			qty = d.rnd.IntN(p.seuil + 1) // below its threshold already
		}
		shortage := d.chance(0.04)
		level := qty
		for w, need := range d.demand[i] {
			if !shortage && level-need < p.seuil {
				lot := need + p.seuil - level + perWeek*(1+d.rnd.IntN(3))
				lot = (lot + 9) / 10 * 10
				monday := d.weekMonday(w)
				last := min(4, int(d.cfg.Today.Time().Sub(monday.Time()).Hours()/24))
				receipts = append(receipts, receipt{date: monday.AddDays(d.rnd.IntN(last + 1)), ref: p.ref, qty: lot})
				level += lot
			}
			level -= need
		}
		row := []string{p.ref, strconv.Itoa(qty), d.inventory.String()}
		d.add(stock, p.ref, row, func() []defect {
			return []defect{
				set(cols, "quantite", rules.OutOfRange, ExpectReject, func([]string) (string, bool) { return strconv.Itoa(-1 - d.rnd.IntN(20)), true }),
				set(cols, "date_inventaire", rules.BadDate, ExpectReject, always("hier")),
			}
		})
	}
	slices.SortStableFunc(receipts, func(a, b receipt) int {
		if c := a.date.Compare(b.date); c != 0 {
			return c
		}
		return strings.Compare(a.ref, b.ref)
	})
	cols = receptions.names
	for i, r := range receipts {
		if err := d.stopped(); err != nil {
			return err
		}
		id := strconv.Itoa(i + 1)
		row := []string{id, r.ref, strconv.Itoa(r.qty), r.date.String()}
		d.add(receptions, id, row, func() []defect {
			return []defect{
				set(cols, "ref_produit", rules.UnknownReference, ExpectReject, func([]string) (string, bool) { return d.unknownRef(), true }),
				set(cols, "quantite", rules.OutOfRange, ExpectReject, always("0")),
				set(cols, "date_reception", rules.BadDate, ExpectReject, always("hier")),
			}
		})
	}
	return nil
}

// unknownRef returns a product reference of the catalogue's form that no product has:
// one past the last of its category, as a product not yet in the file.
func (d *distributech) unknownRef() string {
	c := d.lastRefs[d.rnd.IntN(len(d.lastRefs))]
	return fmt.Sprintf("%s-%04d", c.prefix, c.last+1+d.rnd.IntN(200))
}

// writeSQLite writes the planned tables into a new distributech.sqlite, in one
// transaction.
func (d *distributech) writeSQLite() error {
	path := d.path(DistributechSQLite)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return fmt.Errorf("%s: %w", DistributechSQLite, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := fillSQLite(d.ctx, db, d.tables); err != nil {
		return fmt.Errorf("%s: %w", DistributechSQLite, err)
	}
	for _, t := range d.tables {
		d.sum.Files = append(d.sum.Files, FileSummary{Name: t.file(), Rows: len(t.rows), Defects: t.defects})
	}
	if err := db.Close(); err != nil {
		return err
	}
	d.stage.add(DistributechSQLite)
	return nil
}

func fillSQLite(ctx context.Context, db *sql.DB, tables []*sqliteTable) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range tables {
		// Table and column names are the generator's own constants; values are bound.
		if _, err := tx.Exec("CREATE TABLE " + t.name + " (" + strings.Join(t.columns, ", ") + ")"); err != nil {
			return fmt.Errorf("create %s: %w", t.name, err)
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(t.names)), ", ")
		stmt, err := tx.Prepare("INSERT INTO " + t.name + " (" + strings.Join(t.names, ", ") + ") VALUES (" + marks + ")")
		if err != nil {
			return fmt.Errorf("insert into %s: %w", t.name, err)
		}
		args := make([]any, len(t.names))
		for i, row := range t.rows {
			for j, v := range row {
				args[j] = sqliteValue(v, t.types[j])
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				stmt.Close()
				return fmt.Errorf("insert into %s row %d: %w", t.name, i+1, err)
			}
		}
		if err := stmt.Close(); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// sqliteValue is text v as a value of a column of type typ: "" is NULL, a number goes
// in as a number, anything else as text.
func sqliteValue(v, typ string) any {
	switch {
	case v == "":
		return nil
	case typ == "INTEGER":
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case typ == "REAL":
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	}
	return v
}

// lineDefect is a defect of an order line; extra says that the line is written as is
// and the changed one after it (a line of an earlier week sent again).
type lineDefect struct {
	defect
	extra bool
}

// writeOrders writes the order files, one per reseller and week, with their defects.
func (d *distributech) writeOrders() error {
	cols := OrderColumns
	sent := map[int][][]string{} // lines accepted in earlier weeks, by reseller
	valid := make([]int, len(d.resellers))
	for i, r := range d.resellers {
		valid[i] = r.id
	}
	total := FileSummary{Name: fmt.Sprintf("%s/*.csv (%d files)", OrdersDir, len(d.files))}
	for _, f := range d.files {
		if err := d.stopped(); err != nil {
			return err
		}
		name := OrderFileName(f.monday, f.reseller)
		out, err := d.create(filepath.Join(OrdersDir, name), canonical, cols)
		if err != nil {
			return err
		}
		var accepted [][]string
		for _, o := range f.orders {
			flawed := false
			for li, l := range o.lines {
				p := d.products[l.product]
				row := []string{o.numero, strconv.Itoa(f.reseller), o.date.String(), p.ref, strconv.Itoa(l.qty),
					model.Decimal{Units: l.cents, Scale: 2}.String()}
				if !d.defect() || flawed {
					if err := out.write(row); err != nil {
						out.Close()
						return err
					}
					accepted = append(accepted, row)
					continue
				}
				kinds := d.lineDefects(f, o, li, sent[f.reseller], valid)
				start := d.rnd.IntN(len(kinds))
				for i := range kinds {
					k := kinds[(start+i)%len(kinds)]
					changed := slices.Clone(row)
					if !k.apply(changed) {
						continue
					}
					if k.extra {
						if err := out.write(row); err != nil {
							out.Close()
							return err
						}
						accepted = append(accepted, row)
					}
					if k.code == rules.MalformedRow {
						changed = changed[:len(changed)-1]
					}
					if err := out.write(changed); err != nil {
						out.Close()
						return err
					}
					total.Defects++
					d.note(name, out.line, changed[0]+"/"+changed[3], k.defect)
					flawed = true
					break
				}
			}
		}
		total.Rows += out.rows
		if err := out.Close(); err != nil {
			return err
		}
		// A reseller has one file a week: its lines may be sent again from next week on.
		sent[f.reseller] = append(sent[f.reseller], accepted...)
	}
	d.sum.Files = append(d.sum.Files, total)
	return d.failed
}

// lineDefects are the defects line li of order o in file f can be given; sent are the
// lines of the reseller accepted in earlier weeks, valid the ids of valid resellers.
func (d *distributech) lineDefects(f orderFile, o order, li int, sent [][]string, valid []int) []lineDefect {
	cols := OrderColumns
	plain := func(df defect) lineDefect { return lineDefect{defect: df} }
	// resend puts a line of an earlier week in the row, changed by change when not nil.
	resend := func(code rules.Code, column, expect string, change func(row []string)) lineDefect {
		return lineDefect{extra: true, defect: defect{code: code, column: column, expect: expect, apply: func(row []string) bool {
			if len(sent) == 0 {
				return false
			}
			copy(row, sent[d.rnd.IntN(len(sent))])
			if change != nil {
				change(row)
			}
			return true
		}}}
	}
	return []lineDefect{
		plain(set(cols, "id_revendeur", rules.UnknownReference, ExpectReject, func([]string) (string, bool) {
			return strconv.Itoa(d.cfg.Revendeurs + 100 + d.rnd.IntN(900)), true
		})),
		plain(set(cols, "ref_produit", rules.UnknownReference, ExpectReject, func([]string) (string, bool) { return d.unknownRef(), true })),
		plain(set(cols, "quantite", rules.OutOfRange, ExpectReject, func([]string) (string, bool) { return d.pick([]string{"0", "-3"}), true })),
		plain(set(cols, "prix_unitaire", rules.OutOfRange, ExpectReject, func(row []string) (string, bool) { return "-" + row[5], true })),
		plain(set(cols, "date_commande", rules.BadDate, ExpectReject, func([]string) (string, bool) {
			return d.pick([]string{"hier", fmt.Sprintf("31/02/%d", o.date.Year), fmt.Sprintf("%d-13-%02d", o.date.Year, o.date.Day), "??/??/????"}), true
		})),
		plain(set(cols, "date_commande", rules.DateInFuture, ExpectReject, func([]string) (string, bool) {
			return d.cfg.Today.AddDays(1 + d.rnd.IntN(20)).String(), true
		})),
		// The order's first line is valid: this one disagrees with it.
		plain(set(cols, "date_commande", rules.DuplicateKeyConflict, ExpectReject, func([]string) (string, bool) {
			other := d.weekDay(f.monday)
			return other.String(), li > 0 && other != o.date
		})),
		plain(set(cols, "id_revendeur", rules.DuplicateKeyConflict, ExpectReject, func([]string) (string, bool) {
			other := valid[d.rnd.IntN(len(valid))]
			return strconv.Itoa(other), li > 0 && other != f.reseller
		})),
		plain(defect{code: rules.MalformedRow, expect: ExpectReject, apply: func([]string) bool { return true }}),
		resend(rules.DuplicateRow, "numero_commande", ExpectIgnore, nil),
		resend(rules.DuplicateKeyConflict, "quantite", ExpectReject, func(row []string) {
			q, _ := strconv.Atoi(row[4])
			row[4] = strconv.Itoa(q + 1 + d.rnd.IntN(10))
		}),
	}
}
