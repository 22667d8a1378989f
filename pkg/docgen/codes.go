package docgen

import "dmt/pkg/rules"

// codeDoc documents one rejection code for people: what it means for the business, a
// value that gets it, and, for the codes no domain rule carries (file level, loader),
// where it is decided. Every code of rules.Catalogue must have one, with an example:
// Rules fails otherwise, so a new code cannot ship undocumented.
type codeDoc struct {
	Code    rules.Code
	Meaning string
	// Example is a rejected value in words. When Entity and Column are set, Value is
	// run through that field's Go check and must get Code; with Row set, the entity's
	// row rules must give Code for that row. Shown replaces Value in the text when the
	// value holds characters a page cannot show.
	Example         string
	Entity, Column  string
	Value, Shown    string
	Row             map[string]string
	Where           string // where it is decided, beyond the domain rules listed for it
	Reprise         string // what reprise can do about it
	Ignored, Header bool   // the row is ignored, not rejected; a header-level code
}

// codeDocs is the order of rules.md and the words for each code.
var codeDocs = []codeDoc{
	{Code: rules.MalformedRow,
		Meaning: "The line cannot be read as a record: it has more or fewer fields than the header, or a quote is never closed. None of its values can be trusted, so none is judged.",
		Example: "`1042;Dupont SA;Industrie` in a clients file whose header has 7 columns",
		Where:   "The CSV reader (`pkg/csvfile`), before any rule. The row is written to the rejects file with its data columns empty and its text in `_raw`.",
		Reprise: "No repair: the row stays MALFORMED_ROW, parsed again from `_raw`, until someone fixes its text by hand."},
	{Code: rules.MissingRequired,
		Meaning: "A value the business cannot do without is empty (a client without a name, a project without a start date).",
		Example: "a client whose `nom` is empty or only spaces", Entity: "clients", Column: "nom", Value: "   ",
		Reprise: "No repair: a missing value cannot be invented; the row is isolated."},
	{Code: rules.TooLong,
		Meaning: "A text is longer than its column holds; it would be cut, so it is refused.",
		Example: "a `telephone` of 31 characters or more", Entity: "clients", Column: "telephone", Value: "04 72 00 00 00 / 06 12 34 56 78 (standard)",
		Reprise: "No repair: which part to keep is a decision for a person."},
	{Code: rules.BadInteger,
		Meaning: "A count, an identifier or a score is not a whole number.",
		Example: "`note_satisfaction` = `quatre`", Entity: "projets", Column: "note_satisfaction", Value: "quatre",
		Reprise: "Repaired when the number is whole after all (`4,0`, `4.0`) or a score out of the field's maximum (`4/5`); `7/10` is not rescaled."},
	{Code: rules.BadDecimal,
		Meaning: "An amount is not a number in an accepted form, has more decimals than its column, or is ambiguous: `1,000` could be one thousand or one.",
		Example: "`budget` = `1,000` (a comma followed by exactly three digits)", Entity: "projets", Column: "budget", Value: "1,000",
		Reprise: "Repaired when a euro sign or code surrounds the number (`12 500 EUR`); an ambiguous comma is never guessed."},
	{Code: rules.BadDate,
		Meaning: "A date is not in an accepted form, or is no day of the calendar.",
		Example: "`date_debut` = `31/02/2024`", Entity: "projets", Column: "date_debut", Value: "31/02/2024",
		Reprise: "Repaired when the form has exactly one reading: `2023.03.05`, month/day/year when the day is over 12 (`03/25/2023`), `5 mars 2023`."},
	{Code: rules.DateInFuture,
		Meaning: "A date that records something done (a creation, a hiring, an order) is after today, the local date of the machine running the program.",
		Example: "a client's `date_creation` = `2031-01-15` (today 2026-11-15)", Entity: "clients", Column: "date_creation", Value: "2031-01-15",
		Reprise: "No repair: the right date is unknown."},
	{Code: rules.BadEmail,
		Meaning: "An e-mail address is not an ASCII address of the form local@domain.tld (internationalised addresses are not accepted).",
		Example: "`email` = `contact.dupont.fr`", Entity: "clients", Column: "email", Value: "contact.dupont.fr",
		Reprise: "Repaired when only a `mailto:` prefix, inner spaces, trailing dots or invisible characters at the ends are wrong."},
	{Code: rules.BadEnum,
		Meaning: "A status, type or role is none of the allowed values, whatever the case, accents, spaces, `-` or `_`.",
		Example: "`type_prestation` = `conseil`", Entity: "projets", Column: "type_prestation", Value: "conseil",
		Reprise: "Repaired for known synonyms (`fini`, `clos` → `termine`), stray dots, and misspellings within two edits of exactly one allowed value (`Termné`)."},
	{Code: rules.OutOfRange,
		Meaning: "A number is outside what the business allows (an identifier ≤ 0, a score above 5, a negative budget or quantity), or has too many digits for its column.",
		Example: "`note_satisfaction` = `6`", Entity: "projets", Column: "note_satisfaction", Value: "6",
		Reprise: "No repair."},
	{Code: rules.DateOrder,
		Meaning: "A period ends before it starts.",
		Example: "a project from `2024-03-01` to `2024-02-01`", Entity: "projets",
		Row:     map[string]string{"statut": "en_cours", "date_debut": "2024-03-01", "date_fin": "2024-02-01"},
		Reprise: "No repair: which date is wrong is unknown."},
	{Code: rules.EndDateRequired,
		Meaning: "A project marked finished (`termine`) has no end date.",
		Example: "`statut` = `termine`, `date_fin` empty", Entity: "projets",
		Row:     map[string]string{"statut": "termine", "date_debut": "2024-03-01", "date_fin": ""},
		Reprise: "No repair."},
	{Code: rules.SatisfactionNotAllowed,
		Meaning: "A satisfaction score is given for a project that is not finished: customers rate finished projects only.",
		Example: "`statut` = `en_cours`, `note_satisfaction` = `4`", Entity: "projets",
		Row:     map[string]string{"statut": "en_cours", "date_debut": "2024-03-01", "note_satisfaction": "4"},
		Reprise: "No repair."},
	{Code: rules.UnknownReference,
		Meaning: "A row names another row that does not exist, neither in the database nor earlier in the run (or that was itself rejected): a project of an unknown client, an order of an unknown product.",
		Example: "a project with `id_client` = `9999` when no client 9999 was loaded",
		Reprise: "No repair; once the parent is loaded (fix it and run again), the same row loads: a file with rejected rows is always judged again."},
	{Code: rules.EmailTaken,
		Meaning: "Two people or companies share one e-mail address (compared without regard to case): one of them is wrong, or they are the same.",
		Example: "a second client with `CONTACT@dupont.fr` when `contact@dupont.fr` is loaded",
		Reprise: "No repair: the row is isolated."},
	{Code: rules.DuplicateRow, Ignored: true,
		Meaning: "The same row, identical, appears twice in what was read: the second is ignored, nothing is lost.",
		Example: "line 812 repeats line 97 of `projets.csv` exactly",
		Where:   "The row checker (`pkg/check`), by key within the run.",
		Reprise: "Ignored, as in migration."},
	{Code: rules.DuplicateKeyConflict,
		Meaning: "Two rows claim the same identity (key) with different content, or order lines of one order disagree on its reseller or date: which one is right is for a person to say.",
		Example: "`id_projet` = `1042` twice, with two titles",
		Where:   "The row checker (`pkg/check`) within the run, and the loader against the rows already in the database.",
		Reprise: "Isolated; with `reprise -update`, the loaded row is replaced and its old values logged."},
	{Code: rules.SiteNotInProject,
		Meaning: "An assignment names a site that is not one of its project's sites.",
		Example: "an affectation on site `Nantes` of a project whose sites are `Lyon|Paris`",
		Reprise: "No repair."},
	{Code: rules.OutsideProjectDates,
		Meaning: "An assignment starts before its project starts, or starts or ends after the project ends.",
		Example: "an affectation from `2023-01-02` on a project that starts on `2023-01-10`",
		Reprise: "No repair."},
	{Code: rules.AlreadyLoaded, Ignored: true,
		Meaning: "The row is already in the database, identical: a rerun, or a file sent twice. Ignored and counted, one log line per file.",
		Example: "running the same migration of `clients.csv` a second time",
		Where:   "The loader (`pkg/mariadb`), comparing with the stored row of the same key.",
		Reprise: "Ignored, as in migration."},
	{Code: rules.BadList,
		Meaning: "A list of sites is written with another separator than `|`, or names one site twice with different case.",
		Example: "`sites` = `Lyon, Paris`", Entity: "projets", Column: "sites", Value: "Lyon, Paris",
		Reprise: "Repaired when the items are separated by `,`, `;` or `/` only (`Lyon, Paris` → `Lyon|Paris`); case twins are not."},
	{Code: rules.BadText,
		Meaning: "A text holds a control character or an invisible one (zero-width space, byte order mark...): two values that look alike would differ, and a duplicate slip through.",
		Example: "a client `nom` with a zero-width space inside", Entity: "clients", Column: "nom", Value: "Dupont\u200bSA", Shown: "Dupont<U+200B>SA",
		Reprise: "Repaired when the invisible characters are only at the ends of the value (copied and pasted); not inside."},
	{Code: rules.UnknownColumn, Header: true,
		Meaning: "The file has a column the entity does not know: it is reported and ignored, the rows still load.",
		Example: "a column `fax` in `clients.csv`",
		Where:   "The header reader (`pkg/csvfile`): header names are matched without regard to case, accents, spaces, `-` and `_`.",
		Reprise: "Same as migration."},
	{Code: rules.MissingColumn, Header: true,
		Meaning: "A required column is missing from the header: the file is not loaded at all (exit 2).",
		Example: "a `clients.csv` without an `email` column",
		Where:   "The header reader (`pkg/csvfile`).",
		Reprise: "Same as migration."},
	{Code: rules.DBRefused,
		Meaning: "The database refused a row that every check of the program accepted: a constraint the program does not know (added by a DBA), or a row changed by someone else meanwhile. The row is rejected with the server's message; the others load.",
		Example: "a row breaking a CHECK constraint added by hand to the table",
		Where:   "The loader (`pkg/mariadb`), from the server's error for that row.",
		Reprise: "No repair."},
}

// repairExamples are values reprise repairs (or refuses to guess), each run through
// the field's Repair when rules.md is generated: the page shows what the code does.
var repairExamples = []struct{ Entity, Column, Value string }{
	{"projets", "date_debut", "2023.03.05"},
	{"projets", "date_debut", "03/25/2023"},
	{"projets", "date_debut", "5 mars 2023"},
	{"projets", "statut", "fini"},
	{"projets", "statut", "Termné"},
	{"projets", "statut", "termine."},
	{"projets", "budget", "12 500 EUR"},
	{"projets", "budget", "1,000"},
	{"projets", "note_satisfaction", "4,0"},
	{"projets", "note_satisfaction", "4/5"},
	{"projets", "note_satisfaction", "7/10"},
	{"clients", "email", "mailto:contact@dupont.fr"},
	{"clients", "email", "contact@dupont.fr."},
	{"projets", "sites", "Lyon, Paris"},
	{"projets", "sites", "Lyon|lyon"},
	{"clients", "nom", "\u200bDupont SA"},
}
