package message

import (
	"testing"
	"time"
)

func TestParseTS(t *testing.T) {
	helsinki := time.FixedZone("+0200", 2*3600)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"20260102", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), true},
		{"2026010203", time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC), true},
		{"202601020304", time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), true},
		{"20260102030405", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), true},
		{"20260102030405.123", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), true},
		{"20260102030405+0200", time.Date(2026, 1, 2, 3, 4, 5, 0, helsinki), true},
		{"", time.Time{}, false},
		{"2026", time.Time{}, false},
		{"20261302", time.Time{}, false},
		{"2026010203.5", time.Time{}, false},
		{"20260102030405+02", time.Time{}, false},
		{"20260102030405+2500", time.Time{}, false},
		{"2026-01-02", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseTS(tt.in)
		if (err == nil) != tt.ok || (tt.ok && !got.Equal(tt.want)) {
			t.Errorf("ParseTS(%q) = %v, %v; want %v (ok %t)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzParseTS checks that no time stamp makes ParseTS panic, and that what
// it accepts is a real instant it formats back to the same digits.
func FuzzParseTS(f *testing.F) {
	for _, s := range []string{"20260102", "20260102030405+0200", "20260102030405.5", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTS(s)
		if err != nil {
			return
		}
		if got.IsZero() {
			t.Errorf("ParseTS(%q) accepted a zero time", s)
		}
		if d := got.Format("20060102"); len(s) < 8 || s[:8] != d {
			t.Errorf("ParseTS(%q) = %v, whose date %s is not the input's", s, got, d)
		}
	})
}
