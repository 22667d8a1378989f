package rules_test

import (
	"database/sql"
	"fmt"
	"testing"

	_ "github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/rules"
)

// stockCases are the stock status rule's cases: every form of it (StockStatus in Go,
// StockStatusSQL in MariaDB) must give want.
var stockCases = []struct {
	stock, threshold int64
	inventoried      bool
	want             string
}{
	{100, 10, true, rules.StockOK},
	{11, 10, true, rules.StockOK},
	{10, 10, true, rules.StockSousSeuil}, // at the threshold is under it
	{1, 10, true, rules.StockSousSeuil},
	{0, 10, true, rules.StockRupture},
	{-235, 10, true, rules.StockRupture}, // more ordered than held
	{0, 0, true, rules.StockRupture},     // nothing left beats at the threshold
	{1, 0, true, rules.StockOK},
	{-5, -10, true, rules.StockRupture},
	{0, 10, false, rules.StockSansInventaire}, // unknown, not zero
	{100, 10, false, rules.StockSansInventaire},
	{-3, 10, false, rules.StockSansInventaire},
}

// TestStockStatusGoAndSQLAgree runs every case through the Go form and through the SQL
// form over a table, and wants the same status from both.
func TestStockStatusGoAndSQLAgree(t *testing.T) {
	db, err := sql.Open("mysql", mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec("CREATE TABLE cases (id INT PRIMARY KEY, stock BIGINT, seuil BIGINT, inv BOOLEAN)")
	for i, c := range stockCases {
		mustExec("INSERT INTO cases VALUES (?, ?, ?, ?)", i, c.stock, c.threshold, c.inventoried)
	}
	q := "SELECT " + rules.StockStatusSQL("stock", "seuil", "inv") + " FROM cases WHERE id = ?"
	for i, c := range stockCases {
		t.Run(fmt.Sprintf("%d/%d/%v", c.stock, c.threshold, c.inventoried), func(t *testing.T) {
			if got := rules.StockStatus(c.stock, c.threshold, c.inventoried); got != c.want {
				t.Errorf("StockStatus(%d, %d, %v) = %s, want %s", c.stock, c.threshold, c.inventoried, got, c.want)
			}
			var got string
			if err := db.QueryRow(q, i).Scan(&got); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if got != c.want {
				t.Errorf("StockStatusSQL(%d, %d, %v) = %s, want %s", c.stock, c.threshold, c.inventoried, got, c.want)
			}
		})
	}
}
