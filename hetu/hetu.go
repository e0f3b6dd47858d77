// Package hetu parses and builds Finnish personal identity codes
// (henkilötunnus, sv. personbeteckning).
//
// A code has the form DDMMYYCZZZQ: the birth date, a century sign C, a
// three-digit individual number ZZZ and a check character Q. The individual
// number is odd for men and even for women; numbers 002-899 belong to real
// people and 900-999 to test identities, which are the only ones Kanta's test
// environments (and this project's mock archive) accept.
//
// Errors never repeat the code they reject, so that a real person's identity
// code that reaches the simulator by mistake does not end up in logs or
// reports.
package hetu

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Sentinel errors, wrapped by every error Parse and TestCode return; test them
// with errors.Is.
var (
	// ErrFormat means the text is not of the form DDMMYYCZZZQ, has an
	// unknown century sign or an individual number that is never assigned.
	ErrFormat = errors.New("malformed personal identity code")
	// ErrDate means the birth date part names a day that does not exist.
	ErrDate = errors.New("impossible birth date in personal identity code")
	// ErrCheck means the check character does not match the other parts.
	ErrCheck = errors.New("wrong check character in personal identity code")
)

// checkChars maps DDMMYYZZZ mod 31 to the check character.
const checkChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// Individual-number ranges.
const (
	minIndividual     = 2
	maxIndividual     = 999
	minTestIndividual = 900
)

// Code is a parsed personal identity code (henkilötunnus).
type Code struct {
	// BirthDate is the birth date at midnight UTC.
	BirthDate time.Time
	// Individual is the individual number ZZZ (2-999).
	Individual int
	// Female is true when the individual number is even.
	Female bool
	// Test is true for the 900 series reserved for test identities.
	Test bool
	// CenturySign is the century character the code was written with,
	// e.g. '-' or 'Y' for the 1900s.
	CenturySign rune
}

// String returns the code in its canonical 11-character form, with the
// century sign it was parsed or built with.
func (c Code) String() string {
	sign := c.CenturySign
	if sign == 0 {
		sign = primarySign(c.BirthDate.Year())
	}
	y, m, d := c.BirthDate.Date()
	body := fmt.Sprintf("%02d%02d%02d", d, int(m), y%100)
	ind := fmt.Sprintf("%03d", c.Individual)
	return body + string(sign) + ind + string(checkChar(body, ind))
}

// centuryOf returns the century (1800, 1900, 2000) a sign stands for.
func centuryOf(sign byte) (int, bool) {
	switch sign {
	case '+':
		return 1800, true
	case '-', 'Y', 'X', 'W', 'V', 'U':
		return 1900, true
	case 'A', 'B', 'C', 'D', 'E', 'F':
		return 2000, true
	}
	return 0, false
}

// primarySign returns the traditional sign for a birth year's century, or 0
// when no sign exists for it.
func primarySign(year int) rune {
	switch year / 100 {
	case 18:
		return '+'
	case 19:
		return '-'
	case 20:
		return 'A'
	}
	return 0
}

// checkChar computes the check character from the six date digits and the
// three individual-number digits.
func checkChar(date, individual string) byte {
	n, _ := strconv.Atoi(date + individual) // callers pass digits only
	return checkChars[n%31]
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Parse parses an 11-character personal identity code. It accepts all
// century signs in use since 2023 (+, - Y X W V U, A B C D E F) and
// upper-case check characters only. Errors wrap ErrFormat, ErrDate or
// ErrCheck and do not contain the input.
func Parse(s string) (Code, error) {
	if len(s) != 11 {
		return Code{}, fmt.Errorf("parse hetu: %w: length %d, want 11", ErrFormat, len(s))
	}
	date, ind := s[0:6], s[7:10]
	if !isDigits(date) {
		return Code{}, fmt.Errorf("parse hetu: %w: birth date part is not six digits", ErrFormat)
	}
	century, ok := centuryOf(s[6])
	if !ok {
		return Code{}, fmt.Errorf("parse hetu: %w: unknown century sign %q", ErrFormat, s[6])
	}
	if !isDigits(ind) {
		return Code{}, fmt.Errorf("parse hetu: %w: individual number is not three digits", ErrFormat)
	}
	n, _ := strconv.Atoi(ind)
	if n < minIndividual {
		return Code{}, fmt.Errorf("parse hetu: %w: the individual number is one that is never assigned", ErrFormat)
	}
	d, _ := strconv.Atoi(date[0:2])
	m, _ := strconv.Atoi(date[2:4])
	y, _ := strconv.Atoi(date[4:6])
	birth := time.Date(century+y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || birth.Day() != d || int(birth.Month()) != m {
		return Code{}, fmt.Errorf("parse hetu: %w: the birth date part is not a real date", ErrDate)
	}
	if want := checkChar(date, ind); s[10] != want {
		return Code{}, fmt.Errorf("parse hetu: %w", ErrCheck)
	}
	return Code{
		BirthDate:   birth,
		Individual:  n,
		Female:      n%2 == 0,
		Test:        n >= minTestIndividual,
		CenturySign: rune(s[6]),
	}, nil
}

// Mask returns s unchanged when it is a valid test identity code (900
// series), which names nobody, and otherwise a mask of asterisks as long as
// a code, so that a real person's code (or a mistyped one) is not shown.
func Mask(s string) string {
	if c, err := Parse(s); err == nil && c.Test {
		return s
	}
	return masked
}

// masked stands for an identity code that is not shown.
const masked = "***********"

// TestCode builds a valid test identity code (900 series) for a person born
// on the calendar date of birth (its year must be 1800-2099) with the given
// individual number (900-999; odd for a man, even for a woman). By default
// the century sign is the traditional one ('+', '-' or 'A'); an optional
// sign chooses another valid sign for the same century, e.g. 'Y' or 'B'.
func TestCode(birth time.Time, individual int, centurySignVariant ...rune) (string, error) {
	if individual < minTestIndividual || individual > maxIndividual {
		return "", fmt.Errorf("build test hetu: %w: individual number %d outside the test series 900-999", ErrFormat, individual)
	}
	y := birth.Year()
	sign := primarySign(y)
	if sign == 0 {
		return "", fmt.Errorf("build test hetu: %w: birth year %d has no century sign", ErrDate, y)
	}
	switch len(centurySignVariant) {
	case 0:
	case 1:
		v := centurySignVariant[0]
		if v > 0x7f {
			return "", fmt.Errorf("build test hetu: %w: unknown century sign %q", ErrFormat, v)
		}
		c, ok := centuryOf(byte(v))
		if !ok {
			return "", fmt.Errorf("build test hetu: %w: unknown century sign %q", ErrFormat, v)
		}
		if c != y/100*100 {
			return "", fmt.Errorf("build test hetu: %w: century sign %q stands for the %ds, birth year is %d", ErrFormat, v, c, y)
		}
		sign = v
	default:
		return "", fmt.Errorf("build test hetu: %w: at most one century sign, got %d", ErrFormat, len(centurySignVariant))
	}
	bd := time.Date(y, birth.Month(), birth.Day(), 0, 0, 0, 0, time.UTC)
	c := Code{BirthDate: bd, Individual: individual, Female: individual%2 == 0, Test: true, CenturySign: sign}
	return c.String(), nil
}
