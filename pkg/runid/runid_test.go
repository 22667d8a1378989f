package runid

import (
	"regexp"
	"testing"
	"time"
)

func TestNewIsValid(t *testing.T) {
	at := time.Date(2026, 11, 15, 11, 0, 0, 0, time.FixedZone("CET", 3600))
	id := New(at)
	if !Valid(id) {
		t.Fatalf("Valid(New(...)) = false for %q", id)
	}
	if got, want := id[:16], "20261115T100000Z"; got != want {
		t.Errorf("New(%v) starts with %q, want %q (UTC)", at, got, want)
	}
	if New(at) == id && New(at) == id {
		t.Errorf("New(%v) gave %q three times: the suffix is not random", at, id)
	}
}

func TestValid(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"20261115T100000Z-3fa2c1", true},
		{"20261115T100000Z-3FA2C1", false},
		{"20261115T100000Z-3fa2c", false},
		{"x20261115T100000Z-3fa2c1", false},
		{"20261115T100000Z-3fa2c1-2", false},
		{"", false},
	} {
		if got := Valid(c.in); got != c.want {
			t.Errorf("Valid(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	if !regexp.MustCompile(`\.` + Pattern + `\.csv$`).MatchString("clients.20261115T100000Z-3fa2c1.csv") {
		t.Errorf("Pattern does not find an id inside a kept file's name")
	}
}
