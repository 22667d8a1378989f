package rules

import (
	"fmt"
)

// Row gives a rule the canonical values of one row by column name ("" is empty/NULL).
type Row interface {
	Get(column string) string
}

// RowRule is a rule over several columns of one row. Check is its Go form, over
// canonical values; SQL its form over the stored table as c: a predicate true for a row
// that keeps the rule (validate counts the rows where NOT COALESCE(SQL, FALSE)). Its
// columns are qualified, so that it holds in a scan joined to other tables.
type RowRule struct {
	Name        string
	Code        Code
	Columns     []string // the columns it reads: a row where one of them is invalid is not judged by it
	Description string
	Check       func(Row) *Violation
	SQL         string
}

// ParentRule is a rule between a row and the row it refers to (an affectation and its
// project). Its SQL form is a predicate over the aliases c (child) and p (parent).
type ParentRule struct {
	Name        string
	Code        Code
	Description string
	Reads       []string // the parent's columns Check reads: all a checker keeps of parents
	Check       func(child, parent Row) *Violation
	// SQL is the rule over the child as c and its parent as p, once Join (when set) is
	// added to their FROM clause: a LEFT JOIN on a key of its own alias, one row at most
	// per child. A join, not a subquery per row: MariaDB runs a dependent subquery several
	// times slower than an index look-up of a join.
	SQL  string
	Join string
}

// OrderedDates is the rule that end, when given, is not before start.
func OrderedDates(start, end string) RowRule {
	return RowRule{
		Name:        "date_order",
		Code:        DateOrder,
		Columns:     []string{start, end},
		Description: end + " is not before " + start,
		Check: func(r Row) *Violation {
			s, e := r.Get(start), r.Get(end)
			if s != "" && e != "" && e < s { // canonical YYYY-MM-DD compares as text
				return &Violation{Column: end, Code: DateOrder, Detail: fmt.Sprintf("%s %s is before %s %s", end, e, start, s)}
			}
			return nil
		},
		SQL: "c." + end + " IS NULL OR c." + start + " IS NULL OR c." + end + " >= c." + start,
	}
}

// RequiredWhen is the rule that column is filled when other holds value
// (a termine project has its date_fin).
func RequiredWhen(column, other, value string, code Code) RowRule {
	return RowRule{
		Name:        column + "_required_when_" + value,
		Code:        code,
		Columns:     []string{column, other},
		Description: column + " is given when " + other + " is " + value,
		Check: func(r Row) *Violation {
			if r.Get(other) == value && r.Get(column) == "" {
				return &Violation{Column: column, Code: code, Detail: fmt.Sprintf("%s is required when %s is %s", column, other, value)}
			}
			return nil
		},
		SQL: "c." + other + " IS NULL OR c." + other + " <> '" + value + "' OR c." + column + " IS NOT NULL",
	}
}

// OnlyWhen is the rule that column stays empty unless other holds value
// (a satisfaction score only on a termine project).
func OnlyWhen(column, other, value string, code Code) RowRule {
	return RowRule{
		Name:        column + "_only_when_" + value,
		Code:        code,
		Columns:     []string{column, other},
		Description: column + " is empty unless " + other + " is " + value,
		Check: func(r Row) *Violation {
			if r.Get(column) != "" && r.Get(other) != value {
				return &Violation{Column: column, Code: code, Detail: fmt.Sprintf("%s %s is not allowed when %s is %s", column, r.Get(column), other, r.Get(other))}
			}
			return nil
		},
		SQL: "c." + column + " IS NULL OR c." + other + " = '" + value + "'",
	}
}

// WithinParentDates is the rule that a child's period lies within its parent's: it
// starts neither before the parent starts nor after it ends, and ends (when it has an
// end) no later than the parent's end.
func WithinParentDates(start, end, parentStart, parentEnd string) ParentRule {
	return ParentRule{
		Name:        "within_parent_dates",
		Code:        OutsideProjectDates,
		Reads:       []string{parentStart, parentEnd},
		Description: "the period " + start + ".." + end + " lies within the parent's " + parentStart + ".." + parentEnd,
		Check: func(c, p Row) *Violation {
			cs, ce, ps, pe := c.Get(start), c.Get(end), p.Get(parentStart), p.Get(parentEnd)
			switch {
			case cs != "" && ps != "" && cs < ps:
				return &Violation{Column: start, Code: OutsideProjectDates, Detail: fmt.Sprintf("%s %s is before the project's %s %s", start, cs, parentStart, ps)}
			case cs != "" && pe != "" && cs > pe:
				return &Violation{Column: start, Code: OutsideProjectDates, Detail: fmt.Sprintf("%s %s is after the project's %s %s", start, cs, parentEnd, pe)}
			case ce != "" && pe != "" && ce > pe:
				return &Violation{Column: end, Code: OutsideProjectDates, Detail: fmt.Sprintf("%s %s is after the project's %s %s", end, ce, parentEnd, pe)}
			}
			return nil
		},
		SQL: "(c." + start + " IS NULL OR p." + parentStart + " IS NULL OR c." + start + " >= p." + parentStart + ")" +
			" AND (p." + parentEnd + " IS NULL OR ((c." + start + " IS NULL OR c." + start + " <= p." + parentEnd + ")" +
			" AND (c." + end + " IS NULL OR c." + end + " <= p." + parentEnd + ")))",
	}
}

// AmongParentList is the rule that a child's value, when given, is one of the items of
// its parent's list column, when that list is not empty (an affectation's site among its
// project's sites). In SQL the list lives in listTable(parentKey, item). Its join matches
// the item with (... = ...) IS TRUE, the same test as a plain = in an ON clause, but
// not a key part: a hash join of the list on the parent's key alone (an integer) costs
// half as much as one on the key and the item (text hashed through its collation).
func AmongParentList(column, parentList, listTable, parentKey, item string, code Code) ParentRule {
	return ParentRule{
		Name:        column + "_in_parent_" + parentList,
		Code:        code,
		Reads:       []string{parentList},
		Description: column + " is one of the parent's " + parentList + " when it lists any",
		Check: func(c, p Row) *Violation {
			v := c.Get(column)
			if v == "" {
				return nil
			}
			list := p.Get(parentList)
			if among, some := listHolds(list, v); among || !some {
				return nil
			}
			// In byte order, as the database lists them: a parent still in the window
			// of uncommitted rows holds them in its file's order, and the message
			// would depend on whether its batch was committed yet.
			return &Violation{Column: column, Code: code, Detail: fmt.Sprintf("%s %q is not among %s", column, v, ListInByteOrder(list))}
		},
		SQL: "c." + column + " IS NULL OR pl." + parentKey + " IS NOT NULL" +
			" OR NOT EXISTS (SELECT 1 FROM " + listTable + " l WHERE l." + parentKey + " = p." + parentKey + ")",
		Join: "LEFT JOIN " + listTable + " pl ON pl." + parentKey + " = p." + parentKey + " AND (pl." + item + " = c." + column + ") IS TRUE",
	}
}
