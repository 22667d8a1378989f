package mariadb

import (
	"strings"
	"testing"
	"unicode/utf8"

	"dmt/pkg/store"
)

// A rejection is cut to fit its columns and one statement under the packet limit, at
// a character boundary, its whole sizes kept; one that fits is stored as it is.
func TestStoredRejection(t *testing.T) {
	t.Parallel()
	small := store.Rejection{Detail: "BAD_DATE date_creation: 31/02", Raw: "3,x"}
	if d, r, db, rb := storedRejection(small, 16<<20); d != small.Detail || r != small.Raw || db != 0 || rb != 0 {
		t.Errorf("a small rejection was changed: %q %q %d %d", d, r, db, rb)
	}
	huge := store.Rejection{Detail: strings.Repeat("é", 40000), Raw: strings.Repeat("€", 1<<20)}
	for _, packet := range []int{1 << 20, 16 << 20, 1 << 30} {
		d, r, db, rb := storedRejection(huge, packet)
		if !utf8.ValidString(d) || !utf8.ValidString(r) {
			t.Errorf("packet %d: a character was cut", packet)
		}
		if len(d) > detailColumnBytes || len(d)+len(r) > statementBytes(packet) {
			t.Errorf("packet %d: detail %d, raw %d bytes: do not fit", packet, len(d), len(r))
		}
		if db != len(huge.Detail) || !strings.HasSuffix(d, truncatedMark) {
			t.Errorf("packet %d: detail not marked cut (%d)", packet, db)
		}
		if cut := len(r) < len(huge.Raw); cut != (rb == len(huge.Raw)) || !strings.HasPrefix(huge.Raw, r) {
			t.Errorf("packet %d: raw %d bytes stored, raw_bytes %d", packet, len(r), rb)
		}
	}
}
