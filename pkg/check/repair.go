package check

import (
	"errors"

	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// repairable are the codes of values that may be written in a form reprise can read.
var repairable = map[rules.Code]bool{rules.BadDate: true, rules.BadDecimal: true, rules.BadInteger: true,
	rules.BadEnum: true, rules.BadEmail: true, rules.BadList: true, rules.BadText: true}

// Repair corrects the values of a raw row (aligned with e.Fields) that Normalize refuses
// but that have exactly one reading, and returns the row to check, the corrections made,
// and the values that could be read several ways (never guessed: the row keeps its
// error, with this reason). A value that breaks a rule in a readable form (a negative
// budget, an orphan) is left as it is.
func Repair(e *domain.Entity, raw []string, today model.Date) ([]string, []rules.Correction, []rules.Violation) {
	var fixed []string
	var corrections []rules.Correction
	var ambiguous []rules.Violation
	for i := range e.Fields {
		f := &e.Fields[i]
		if i >= len(raw) {
			break
		}
		_, v := f.Normalize(raw[i], today)
		if v == nil || !repairable[v.Code] {
			continue
		}
		value, rule, ok, err := f.Repair(raw[i])
		if errors.Is(err, rules.ErrAmbiguous) {
			ambiguous = append(ambiguous, rules.Violation{Column: f.Name, Code: v.Code, Detail: err.Error() + ": not guessed"})
			continue
		}
		if !ok {
			continue
		}
		if _, v := f.Normalize(value, today); v != nil {
			continue
		}
		if fixed == nil {
			fixed = append([]string(nil), raw...)
		}
		fixed[i] = value
		corrections = append(corrections, rules.Correction{Column: f.Name, Before: raw[i], After: value, Rule: rule})
	}
	if fixed == nil {
		fixed = raw
	}
	return fixed, corrections, ambiguous
}
