package mariadb

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"dmt/pkg/domain"
	"dmt/pkg/store"
)

// sha is the fingerprint recipe of domain's doc comment, written out independently.
func sha(vals ...string) string {
	for i, v := range vals {
		if v == "" {
			vals[i] = "\x00"
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(vals, "\x1f")))
	return hex.EncodeToString(sum[:])
}

func TestEncodeRows(t *testing.T) {
	d := domain.Clevity()
	aff, proj := d.Entity("affectations"), d.Entity("projets")
	cases := []struct {
		name string
		b    *batch
		rows []store.Row
		want string
	}{
		{
			name: "escapes and NULL",
			b:    &batch{Batch: &store.Batch{RunID: "run\t1", File: `a\b.csv`, Entity: aff}},
			rows: []store.Row{{Values: []string{"1", "2", "3", "technicien", "Ly\ton\\x\n\r\x00é", "2024-01-01", "", "1.5"}, Line: 7}},
			want: "1\t2\t3\ttechnicien\tLy\\ton\\\\x\\n\\r\\0é\t2024-01-01\t\\N\t1.5\t" +
				sha("1", "2", "3", "technicien", "Ly\ton\\x\n\r\x00é", "2024-01-01", "", "1.5") + "\trun\\t1\ta\\\\b.csv\t7\t\\N\t\\N\n",
		},
		{
			name: "origin",
			b:    &batch{Batch: &store.Batch{RunID: "r", File: "rejets.csv", Entity: aff}},
			rows: []store.Row{{Values: []string{"10", "20", "30", "chef", "", "2024-01-01", "2024-02-01", ""}, Line: 2, OriginFile: "affectations.csv", OriginLine: 123456}},
			want: "10\t20\t30\tchef\t\\N\t2024-01-01\t2024-02-01\t\\N\t" + sha("10", "20", "30", "chef", "", "2024-01-01", "2024-02-01", "") +
				"\tr\trejets.csv\t2\taffectations.csv\t123456\n",
		},
		{
			name: "list column left out, its sorted items fingerprinted",
			b:    &batch{Batch: &store.Batch{RunID: "r", File: "projets.csv", Entity: proj}},
			rows: []store.Row{{Values: []string{"5", "6", "T", "audit", "termine", "2020-01-01", "", "", "", "Lyon|Brest|Paris"}, Line: 3}},
			want: "5\t6\tT\taudit\ttermine\t2020-01-01\t\\N\t\\N\t\\N\t" + sha("5", "6", "T", "audit", "termine", "2020-01-01", "", "", "", "Brest|Lyon|Paris") +
				"\tr\tprojets.csv\t3\t\\N\t\\N\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got bytes.Buffer
			msg, err := encodeRows(c.b, c.rows, 1<<20, func(data []byte, n int) (string, error) {
				got.Write(data)
				return "", nil
			})
			if err != nil || msg != "" {
				t.Fatalf("encodeRows: %q, %v", msg, err)
			}
			if got.String() != c.want {
				t.Errorf("encodeRows =\n%q\nwant\n%q", got.String(), c.want)
			}
		})
	}
}

// TestEncodeRowsPieces checks that the rows are cut in pieces under the limit, each
// with its number of rows, that a row longer than the limit goes alone, and that a
// message from send stops the encoding.
func TestEncodeRowsPieces(t *testing.T) {
	aff := domain.Clevity().Entity("affectations")
	var rows []store.Row
	for i := range 1000 {
		site := "Lyon"
		if i == 500 {
			site = strings.Repeat("x", 5000)
		}
		rows = append(rows, store.Row{Values: []string{fmt.Sprint(i + 1), "2", "3", "chef", site, "2024-01-01", "", "1.0"}, Line: i + 2})
	}
	b := &batch{Batch: &store.Batch{RunID: "r", File: "f.csv", Entity: aff}}
	var whole bytes.Buffer
	if _, err := encodeRows(b, rows, 1<<30, func(data []byte, n int) (string, error) {
		whole.Write(data)
		return "", nil
	}); err != nil {
		t.Fatal(err)
	}
	const limit = 4000
	var joined bytes.Buffer
	total, pieces := 0, 0
	if _, err := encodeRows(b, rows, limit, func(data []byte, n int) (string, error) {
		if got := bytes.Count(data, []byte("\n")); got != n {
			t.Errorf("piece %d: %d rows sent as %d", pieces, got, n)
		}
		if len(data) > limit && n != 1 {
			t.Errorf("piece %d: %d bytes in %d rows, over the limit %d", pieces, len(data), n, limit)
		}
		joined.Write(data)
		total += n
		pieces++
		return "", nil
	}); err != nil {
		t.Fatal(err)
	}
	if total != len(rows) || joined.String() != whole.String() {
		t.Errorf("pieces hold %d rows (%d bytes), want %d rows as encoded whole (%d bytes)", total, joined.Len(), len(rows), whole.Len())
	}
	if pieces < 10 {
		t.Errorf("%d pieces, want the rows cut under %d bytes", pieces, limit)
	}
	calls := 0
	msg, err := encodeRows(b, rows, limit, func(data []byte, n int) (string, error) {
		calls++
		return "Warning 1265: data truncated", nil
	})
	if msg != "Warning 1265: data truncated" || err != nil || calls != 1 {
		t.Errorf("encodeRows with a warning = %q, %v after %d pieces, want the warning after 1", msg, err, calls)
	}
}

// BenchmarkEncodeRows encodes a batch of 20,000 affectations (the default batch size),
// as LoadBatch sends them to the server.
func BenchmarkEncodeRows(b *testing.B) {
	aff := domain.Clevity().Entity("affectations")
	rows := make([]store.Row, 20000)
	roles := []string{"technicien", "consultant", "chef_de_projet", "formateur"}
	for i := range rows {
		jours := ""
		if i%3 > 0 {
			jours = fmt.Sprintf("%d.%d", i%40+1, i%10)
		}
		rows[i] = store.Row{Values: []string{fmt.Sprint(i + 1), fmt.Sprint(i*7%250000 + 1), fmt.Sprint(i%12500 + 1), roles[i%4], "Montpellier",
			"2023-04-12", "2023-06-30", jours}, Line: i + 2}
	}
	bt := &batch{Batch: &store.Batch{RunID: "20261115T101010Z-abcdef", File: "affectations.csv", Entity: aff}}
	limit := statementBytes(256 << 20)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeRows(bt, rows, limit, func(data []byte, n int) (string, error) { return "", nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
}
