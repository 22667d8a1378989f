package svgchart

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// wellFormed fails the test unless doc parses whole as XML with an <svg> root.
func wellFormed(t *testing.T, name, doc string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed: %v\n%s", name, err, doc)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" || !strings.Contains(doc, "<title>") {
		t.Errorf("%s: root %q, want <svg> with a <title>", name, root)
	}
}

func TestChartsAreWellFormed(t *testing.T) {
	charts := map[string]string{
		"stacked bars": Bars{Title: "Lignes <par> fichier & \"agence\"", Unit: "lignes", Subtitle: strings.Repeat("un sous-titre long ", 20),
			Segments: []Segment{{"insérées", Green}, {"rejetées", Vermillion}},
			Bars:     []Bar{{Label: "clients.csv", Values: []int64{779, 23}, Note: "2,9 %"}, {Label: strings.Repeat("x", 80), Values: []int64{0, 0}}}}.SVG(),
		"no bars":  Bars{Title: "vide"}.SVG(),
		"strip":    Strip{Title: "Validations", Cells: []Cell{{"2026-11-01", Pass, ""}, {"2026-11-02", Fail, "1 échec"}, {"2026-11-03", Warn, ""}}}.SVG(),
		"no cells": Strip{Title: "vide"}.SVG(),
		"timeline": Timeline{Title: "Runs", Lanes: []string{"migration", "validate"},
			Events: []Event{{"migration", 1000, 1100, Pass, "a"}, {"validate", 5000, 5001, Fail, "b"}, {"other", 1, 2, Pass, ""}},
			Ticks:  []Tick{{1000, "a"}, {5000, "b"}}}.SVG(),
		"no events": Timeline{Title: "vide"}.SVG(),
		"multiples": SmallMultiples{Title: "Stock", XLabels: []string{"W1", "W2"}, Unit: "unités",
			Panels: []Panel{{Key: "A", Title: "A", Status: "RUPTURE", Points: []int64{10, -235}, Threshold: 5}, {Key: "B", Title: "B", Points: nil, Threshold: 0}}}.SVG(),
	}
	for name, doc := range charts {
		wellFormed(t, name, doc)
		if strings.Contains(doc, "<script") || strings.Contains(doc, "href=") {
			t.Errorf("%s: holds a script or a link", name)
		}
	}
}

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		in   int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1\u202f000"}, {15512, "15\u202f512"}, {-235, "−235"}, {1234567, "1\u202f234\u202f567"}} {
		if got := Number(c.in); got != c.want {
			t.Errorf("Number(%d) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	long := strings.Repeat("mot ", 100)
	lines := wrap(long)
	if len(lines) < 2 {
		t.Fatalf("wrap: %d lines", len(lines))
	}
	for _, l := range lines {
		if float64(len(l))*charWidth > Width-16 {
			t.Errorf("line of %d characters is wider than the chart", len(l))
		}
	}
	if strings.Join(lines, " ") != strings.TrimSpace(long) {
		t.Errorf("wrap lost words")
	}
}
