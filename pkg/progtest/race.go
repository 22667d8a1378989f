//go:build race

package progtest

// race tells whether this test binary has the race detector: the programs it runs are
// then built with it too, so that a race in their goroutines fails the test.
const race = true
