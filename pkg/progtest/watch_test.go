package progtest

import (
	"os/exec"
	"testing"
	"time"
)

// TestWatchStopsAHungProgram: a program past DMT_TEST_PROG_TIMEOUT is stopped, and
// the watch says so; one that ends in time is left alone.
func TestWatchStopsAHungProgram(t *testing.T) {
	t.Setenv(TimeoutEnv, "1s")
	hung := exec.Command("sleep", "60")
	if err := hung.Start(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	stop := Watch(t, hung)
	hung.Wait()
	if within, late := stop(); !late || within != time.Second {
		t.Errorf("a program sleeping 60 s with a 1 s limit: late %v, limit %s", late, within)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the hung program ran %s", took)
	}

	quick := exec.Command("sleep", "0.2")
	if err := quick.Start(); err != nil {
		t.Fatal(err)
	}
	stop = Watch(t, quick)
	quick.Wait()
	if _, late := stop(); late {
		t.Error("a program that ended at once was reported late")
	}
}

// TestWatchKeepsTheTestDeadline: the limit never goes past the test's own deadline.
func TestWatchKeepsTheTestDeadline(t *testing.T) {
	end, ok := t.Deadline()
	if !ok {
		t.Skip("no -timeout")
	}
	t.Setenv(TimeoutEnv, "1000h")
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := Watch(t, cmd)
	cmd.Wait()
	if within, _ := stop(); within > time.Until(end) {
		t.Errorf("limit %s goes past the test's deadline, %s away", within, time.Until(end).Round(time.Second))
	}
}
