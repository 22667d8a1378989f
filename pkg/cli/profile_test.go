package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	t.Setenv(EnvCPUProfile, cpu)
	t.Setenv(EnvMemProfile, mem)
	var stderr bytes.Buffer
	stop := startProfiles("prog", &stderr)
	stop()
	if stderr.Len() > 0 {
		t.Errorf("stderr = %q, want nothing", stderr.String())
	}
	for _, p := range []string{cpu, mem} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("profile %s: %v, want a non-empty file", p, err)
		}
	}
}

func TestProfilesUnwritable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such", "folder")
	t.Setenv(EnvCPUProfile, filepath.Join(missing, "cpu.pprof"))
	t.Setenv(EnvMemProfile, filepath.Join(missing, "mem.pprof"))
	var stderr bytes.Buffer
	startProfiles("prog", &stderr)()
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "prog: DMT_CPUPROFILE: ") || !strings.HasPrefix(lines[1], "prog: DMT_MEMPROFILE: ") {
		t.Errorf("stderr = %q, want one line per profile naming it", stderr.String())
	}
}

func TestNoProfiles(t *testing.T) {
	t.Setenv(EnvCPUProfile, "")
	t.Setenv(EnvMemProfile, "")
	var stderr bytes.Buffer
	startProfiles("prog", &stderr)()
	if stderr.Len() > 0 {
		t.Errorf("stderr = %q, want nothing", stderr.String())
	}
}
