package cli

import (
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestSoftLimit: the default batch runs under 88 MiB (its peak RSS stays under 100 MB);
// a larger batch gets room in proportion, a smaller one no less.
func TestSoftLimit(t *testing.T) {
	for _, c := range []struct {
		batch int
		want  int64
	}{{DefaultBatch, 88 << 20}, {100, 88 << 20}, {10000, 88 << 20}, {40000, 4 * 88 << 20}} {
		if got := softLimit(c.batch); got != c.want {
			t.Errorf("softLimit(%d) = %d, want %d", c.batch, got, c.want)
		}
	}
}

// gcPercent returns the collector's current growth (GOGC).
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestLimitLifted: once the live heap passes four fifths of the soft limit, the limit
// is lifted, so that the collector does not run without end, and the heap's growth
// between collections falls from the default to 40 %, which then bounds it alone.
func TestLimitLifted(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(77)) // neither growth limitMemory sets
	limitMemory(8 << 20)
	if got := debug.SetMemoryLimit(-1); got != 8<<20 {
		t.Fatalf("limit %d, want %d", got, 8<<20)
	}
	if got := gcPercent(); got != limitedGrowth {
		t.Fatalf("growth %d %% under the limit, want %d %%", got, limitedGrowth)
	}
	held := make([]byte, 8<<20)
	for i := range held {
		held[i] = 1
	}
	for start := time.Now(); debug.SetMemoryLimit(-1) != math.MaxInt64; {
		if time.Since(start) > 5*time.Second {
			t.Fatal("the limit stayed with a live heap above it")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if got := gcPercent(); got != liftedGrowth {
		t.Errorf("growth %d %% once the limit is lifted, want %d %%", got, liftedGrowth)
	}
	runtime.KeepAlive(held)
}

func TestLoadFlags(t *testing.T) {
	t.Setenv(envDSN, "")
	for _, c := range []struct {
		args       []string
		resolveErr string // "" when Resolve succeeds
		needDSN    bool   // NeedDSN fails
	}{
		{args: []string{"-dry-run", "-today", "2026-11-15", "-batch", "10", "-domain", "distributech"}},
		{args: []string{"-today", "2026-11-15"}, needDSN: true},
		{args: []string{"-dsn", "u@tcp(h:1)/d"}},
		{args: []string{"-batch", "0"}, resolveErr: "batch"},
		{args: []string{"-today", "15/11/2026"}, resolveErr: "today"},
		{args: []string{"-domain", "nowhere"}, resolveErr: "nowhere"},
	} {
		fs := NewFlagSet("t", "", io.Discard)
		lf := NewLoadFlags(fs, "dry")
		if err := Parse(fs, c.args); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		load, err := lf.Resolve()
		if c.resolveErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.resolveErr) {
				t.Errorf("%v: Resolve error %v, want one naming %q", c.args, err, c.resolveErr)
			}
			continue
		}
		if err != nil || load.Domain == nil || load.Batch <= 0 {
			t.Errorf("%v: Resolve = %+v, %v", c.args, load, err)
		}
		if err := lf.NeedDSN(); (err != nil) != c.needDSN {
			t.Errorf("%v: NeedDSN = %v, want an error: %v", c.args, err, c.needDSN)
		}
	}
}
