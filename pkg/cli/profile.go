package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// Environment variables that make Main profile a program, for measuring where its time
// and memory go (issue notes, scripts/bench.sh): read with `go tool pprof BINARY FILE`.
const (
	EnvCPUProfile = "DMT_CPUPROFILE" // CPU profile of the whole run, written to this file
	EnvMemProfile = "DMT_MEMPROFILE" // heap profile at the heap's peak (in use, and allocated until then)
)

// peakEvery is how often the heap is looked at for a new peak.
const peakEvery = 100 * time.Millisecond

// startProfiles starts the profiles the environment asks for and returns the function
// that writes them. Profiling is a measurement, never the program's job: a profile that
// cannot be written is one line on stderr and the run goes on.
func startProfiles(name string, stderr io.Writer) (stop func()) {
	var cpu *os.File
	if path := os.Getenv(EnvCPUProfile); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s: %v (no CPU profile)\n", name, EnvCPUProfile, err)
		} else {
			cpu = f
		}
	}
	var peak *heapPeak
	if path := os.Getenv(EnvMemProfile); path != "" {
		peak = watchHeap(path)
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				fmt.Fprintf(stderr, "%s: %s: %v\n", name, EnvCPUProfile, err)
			}
		}
		if peak != nil {
			if err := peak.stop(); err != nil {
				fmt.Fprintf(stderr, "%s: %s: %v\n", name, EnvMemProfile, err)
			}
		}
	}
}

// heapPeak keeps the heap profile taken when the heap was largest: what a program
// holds at its peak is what its peak memory is made of, while at its end most of it
// is already freed.
type heapPeak struct {
	path string
	done chan struct{}
	over chan struct{}
	prof bytes.Buffer
	max  uint64
}

func watchHeap(path string) *heapPeak {
	p := &heapPeak{path: path, done: make(chan struct{}), over: make(chan struct{})}
	p.look()
	go func() {
		defer close(p.over)
		t := time.NewTicker(peakEvery)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				p.look()
			}
		}
	}()
	return p
}

// look takes a heap profile when the heap holds more than at the last one.
func (p *heapPeak) look() {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[0].Value.Uint64() <= p.max && p.prof.Len() > 0 {
		return
	}
	p.max = s[0].Value.Uint64()
	p.prof.Reset()
	pprof.Lookup("heap").WriteTo(&p.prof, 0)
}

// stop writes the peak's profile to the file.
func (p *heapPeak) stop() error {
	close(p.done)
	<-p.over
	return os.WriteFile(p.path, p.prof.Bytes(), 0o644)
}
