//go:build !race

package progtest

// race tells whether this test binary has the race detector (see race.go).
const race = false
