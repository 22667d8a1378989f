package main

import (
	"slices"
	"testing"

	"dmt/pkg/domain"
)

// TestGeneratorsAreRegisteredDomains: generate_data writes data only for domains of the
// registry, and its -domain message lists them in the registry's order.
func TestGeneratorsAreRegisteredDomains(t *testing.T) {
	for name := range generators {
		if d := domain.ByName(name); d == nil || d.Name != name {
			t.Errorf("generator %q is no registered domain (pkg/domain/registry.go)", name)
		}
	}
	got := generated()
	if len(got) != len(generators) || !slices.IsSortedFunc(got, func(a, b string) int {
		return slices.Index(domain.Names(), a) - slices.Index(domain.Names(), b)
	}) {
		t.Errorf("generated() = %v, want every generator in the registry's order %v", got, domain.Names())
	}
}
