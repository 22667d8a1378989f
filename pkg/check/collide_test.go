package check_test

import (
	"testing"

	"dmt/pkg/check"
)

// TestVerdictsWhenHashesCollide runs the cases of TestAcrossRows, TestPreloadAndForget
// and TestReferenceDataReplaces with every value in one hash bucket: a candidate found
// by its hash is compared on its values, so every verdict stays the same.
func TestVerdictsWhenHashesCollide(t *testing.T) {
	restore := check.CollideHashes()
	defer restore()
	t.Run("across rows", TestAcrossRows)
	t.Run("preload and forget", TestPreloadAndForget)
	t.Run("reference data", TestReferenceDataReplaces)
}
