package domain

import "dmt/pkg/rules"

// The kinds of column both domains use, so that an id or an e-mail is the same rule
// wherever it appears.

// idField is a key: a whole number > 0 that fits an INT.
func idField(name string) rules.Field {
	return rules.Field{Name: name, Kind: rules.Integer, Required: true, Min: rules.MoreThan(0), Max: rules.AtMost(2147483647)}
}

// refField holds the key of another row: any INT (an unknown one is an orphan, not a
// range error).
func refField(name string) rules.Field {
	return rules.Field{Name: name, Kind: rules.Integer, Required: true, Min: rules.AtLeast(-2147483648), Max: rules.AtMost(2147483647)}
}

func textField(name string, maxLen int, required bool) rules.Field {
	return rules.Field{Name: name, Kind: rules.Text, MaxLen: maxLen, Required: required}
}

func emailField() rules.Field {
	return rules.Field{Name: "email", Kind: rules.Email, MaxLen: 254, Required: true}
}

// dateField is a date that cannot be in the future (a creation, a hiring, an order).
func dateField(required bool, name string) rules.Field {
	return rules.Field{Name: name, Kind: rules.Date, Required: required, NotFuture: true}
}
