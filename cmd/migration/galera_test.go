package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// galeraProjets is the size of the Galera tests' dataset: that many clients and
// projets (two sites each) and twice as many affectations (DMT_GALERA_PROJETS, default
// 100,000: 200,000 affectations).
func galeraProjets(t *testing.T) int {
	if s := os.Getenv("DMT_GALERA_PROJETS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			t.Fatalf("DMT_GALERA_PROJETS=%q: want a number of at least 1000", s)
		}
		return n
	}
	return 100000
}

// galeraReference loads data into a fresh database of the single test server and
// returns its content and how long the load took.
func galeraReference(t *testing.T, data string) (string, time.Duration) {
	t.Helper()
	dsn := mariadbtest.NewDatabase(t)
	start := time.Now()
	if res := migration(t, dsn, "-out", t.TempDir(), data); res.code != 0 {
		t.Fatalf("single-server reference run: exit %d: %s", res.code, res.stderr)
	}
	return content(t, openDB(t, dsn)), time.Since(start)
}

// checkCluster compares what every node of the cluster holds with the reference
// content and checks that the journal accounts for every row exactly once and that no
// row was refused by the database.
func checkCluster(t *testing.T, c *mariadbtest.Cluster, dsn, want string) {
	t.Helper()
	for n := 1; n <= 3; n++ {
		db := openDB(t, mariadbtest.Causal(c.OnNode(dsn, n)))
		if got := content(t, db); got != want {
			t.Errorf("node %d: content differs from the single-server run (%d vs %d bytes)", n, len(got), len(want))
		}
		if r := count(t, db, "SELECT COUNT(*) FROM rejections WHERE codes LIKE '%DB_REFUSED%'"); r != 0 {
			t.Errorf("node %d: %d rows refused by the database", n, r)
		}
		for _, tb := range []string{"clients", "intervenants", "projets", "affectations"} {
			rows := count(t, db, "SELECT COUNT(*) FROM "+tb)
			files := count(t, db, "SELECT COALESCE(SUM(inserted), 0) FROM journal_files WHERE file = ?", tb+".csv")
			batches := count(t, db, "SELECT COALESCE(SUM(inserted), 0) FROM journal_batches WHERE file = ?", tb+".csv")
			if rows != files || rows != batches {
				t.Errorf("node %d: %s holds %d rows, the journal says %d inserted (files), %d (batches)", n, tb, rows, files, batches)
			}
		}
	}
}

// galeraRun is a migration started in the background.
type galeraRun struct {
	cmd    *exec.Cmd
	out    string
	stderr bytes.Buffer
	done   chan struct{}
	code   int
}

// startGalera starts a migration of data through dsn in batches of batch rows, its
// log in a folder of its own.
func startGalera(t *testing.T, dsn, data string, batch int, env ...string) *galeraRun {
	t.Helper()
	r := &galeraRun{out: t.TempDir(), done: make(chan struct{})}
	r.cmd = exec.Command(progtest.Path("migration"), "-dsn", dsn, "-today", "2026-11-15", "-out", r.out, "-batch", strconv.Itoa(batch), data)
	r.cmd.Env = append(os.Environ(), env...)
	r.cmd.Stderr = &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := r.cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		} else if err != nil {
			r.code = -1
		}
		close(r.done)
	}()
	t.Cleanup(func() {
		r.cmd.Process.Kill()
		<-r.done
	})
	return r
}

// waitBatches waits until the run has committed n batches.
func (r *galeraRun) waitBatches(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		logText, _ := os.ReadFile(filepath.Join(r.out, "log.txt"))
		if strings.Count(string(logText), "action=committed") >= n {
			return
		}
		select {
		case <-r.done:
			t.Fatalf("the run ended (exit %d) before %d batches: %s", r.code, n, r.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run never reached %d batches", n)
		}
	}
}

// wait waits for the run to end, at most within, and returns its exit code.
func (r *galeraRun) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-r.done:
		return r.code
	case <-time.After(within):
	}
	// Its goroutines, to see where it hangs.
	r.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
	t.Fatalf("the run did not end within %s; its output:\n%s", within, r.stderr.String())
	return 0
}

// TestGaleraMigration loads a dataset of 200,000 affectations with their parents
// through the list of a 3-node cluster's nodes while nodes die: a node the run is not
// connected to, the node it is connected to, and two of three (quorum lost). Each time
// the content of every node (the killed ones restarted) equals that of an
// uninterrupted run on a single server, the journal counts every row once, and no row
// is refused by the database. It also measures the cluster's time against the single
// server's on the same load.
func TestGaleraMigration(t *testing.T) {
	c := mariadbtest.Galera(t)
	data := writeDataset(t, galeraProjets(t))
	want, single := galeraReference(t, data)
	// Batches of a tenth of the projets: about 40 batches, the nodes die in the 15th.
	batch := max(galeraProjets(t)/10, 500)

	t.Run("no fault", func(t *testing.T) {
		dsn := c.NewDatabase(t)
		start := time.Now()
		if res := migration(t, dsn, "-out", t.TempDir(), data); res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		took := time.Since(start)
		t.Logf("single server %s, 3-node cluster %s: ratio %.2f", single.Round(time.Millisecond), took.Round(time.Millisecond), took.Seconds()/single.Seconds())
		// validate, run right after the load on another node, sees every row.
		res := runProg(t, nil, "validate", "-dsn", c.OnNode(dsn, 3), "-today", "2026-11-15", "-out", t.TempDir())
		if res.code != 0 {
			t.Errorf("validate on node 3 right after the load: exit %d: %s", res.code, res.stderr)
		}
		checkCluster(t, c, dsn, want)
	})

	for _, tc := range []struct {
		name string
		kill []int
	}{
		{"peer killed", []int{2}},
		{"own node killed", []int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := c.NewDatabase(t)
			r := startGalera(t, dsn, data, batch)
			r.waitBatches(t, 15)
			for _, n := range tc.kill {
				c.Kill(t, n)
			}
			c.Evicted(t, tc.kill...)
			if code := r.wait(t, 15*time.Minute); code != 0 {
				t.Errorf("exit %d, want 0 as on a single server: %s", code, r.stderr.String())
			}
			c.Start(t)
			checkCluster(t, c, dsn, want)
			logText, _ := os.ReadFile(filepath.Join(r.out, "log.txt"))
			for _, l := range strings.Split(string(logText), "\n") {
				if strings.Contains(l, "recover") || strings.Contains(l, "WARN") {
					t.Logf("log: %s", l)
				}
			}
		})
	}

	t.Run("quorum lost", func(t *testing.T) {
		dsn := c.NewDatabase(t)
		// The run waits 20 s for a ready node, then stops; its lease lives 10 s.
		env := []string{"DMT_TEST_RECONNECT_WITHIN=20s", "DMT_TEST_LEASE=10s"}
		r := startGalera(t, dsn, data, batch, env...)
		r.waitBatches(t, 15)
		c.Kill(t, 2)
		c.Kill(t, 3)
		code := r.wait(t, 5*time.Minute)
		msg := strings.TrimSpace(r.stderr.String())
		lines := strings.Split(msg, "\n")
		last := lines[len(lines)-1]
		if code != 2 || !strings.Contains(last, "no MariaDB node ready") || !strings.Contains(last, "run the same command again") {
			t.Errorf("exit %d, last line %q: want exit 2 and one line saying no node is ready and to run the command again", code, last)
		}
		c.Start(t)
		var res result
		res = runProg(t, env, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", t.TempDir(), data)
		if res.code != 0 {
			t.Fatalf("rerun after the cluster came back: exit %d: %s", res.code, res.stderr)
		}
		checkCluster(t, c, dsn, want)
	})
}

// TestGaleraTwoRunsOnTwoNodes: two migrations of the same files, one through node 1
// and one through node 2, at once: they take turns on the run lease, the second
// finding every row already loaded; nothing refused, the content of a single run.
func TestGaleraTwoRunsOnTwoNodes(t *testing.T) {
	c := mariadbtest.Galera(t)
	data := writeDataset(t, galeraProjets(t)/10)
	want, _ := galeraReference(t, data)
	dsn := c.NewDatabase(t)
	// The schema first, so that both runs contend for the lease, not for CREATE TABLE.
	if res := migration(t, dsn, "-out", t.TempDir(), filepath.Join(data, "intervenants.csv")); res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var wg sync.WaitGroup
	results := make([]result, 2)
	for k := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k] = runProg(t, nil, "migration", "-dsn", c.OnNode(dsn, k+1), "-today", "2026-11-15", "-out", t.TempDir(), data)
		}()
	}
	wg.Wait()
	waited := 0
	for k, r := range results {
		if r.code != 0 {
			t.Errorf("run on node %d: exit %d: %s", k+1, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "waiting") {
			waited++
		}
	}
	if waited != 1 {
		t.Errorf("%d runs said they were waiting, want 1", waited)
	}
	checkCluster(t, c, dsn, want)
	db := openDB(t, mariadbtest.Causal(c.OnNode(dsn, 3)))
	if n := count(t, db, "SELECT COUNT(*) FROM journal WHERE status <> 'ok'"); n != 0 {
		t.Errorf("%d runs not ok in the journal", n)
	}
}

// TestGaleraWriteSetLimits: a cluster that allows 5,000 rows per transaction
// (wsrep_max_ws_rows) refuses a batch of 20,000 whole; the run reads the limit at its
// start and closes its batches before it, and loads everything.
func TestGaleraWriteSetLimits(t *testing.T) {
	c := mariadbtest.Galera(t)
	data := writeDataset(t, 3000)
	want, _ := galeraReference(t, data)
	setLimit := func(rows int) {
		for n := 1; n <= 3; n++ {
			if _, err := openDB(t, c.Node[n-1]).Exec("SET GLOBAL wsrep_max_ws_rows = ?", rows); err != nil {
				t.Fatal(err)
			}
		}
	}
	setLimit(5000)
	t.Cleanup(func() { setLimit(0) })
	dsn := c.NewDatabase(t)
	if res := migration(t, dsn, "-out", t.TempDir(), "-batch", "20000", data); res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	checkCluster(t, c, dsn, want)
}
