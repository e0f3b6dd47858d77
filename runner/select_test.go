package runner

import (
	"errors"
	"testing"
)

func TestCheckTags(t *testing.T) {
	for _, tt := range []struct {
		expr string
		ok   bool
	}{
		{"@area:case-management", true},
		{"@area:case-management && ~@negative", true},
		{"@a,@b && ~@c", true},
		{"", false},
		{"@a &&", false},
		{"not @negative", false},
		{"@a and @b", false},
		{"area:case-management", false},
		{"@a,,@b", false},
	} {
		err := CheckTags(tt.expr)
		if (err == nil) != tt.ok {
			t.Errorf("CheckTags(%q) = %v, want ok %v", tt.expr, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrTags) {
			t.Errorf("CheckTags(%q) = %v, not an ErrTags", tt.expr, err)
		}
	}
}

// The selection of a valid expression never panics in godog's tag filter,
// whatever the expression.
func FuzzCheckTags(f *testing.F) {
	for _, s := range []string{"@a", "@a && ~@b", "@a,@b", "not @a", "@a &&", "~", "@"} {
		f.Add(s)
	}
	feats := DefaultFeatures()
	f.Fuzz(func(t *testing.T, expr string) {
		if CheckTags(expr) != nil {
			return
		}
		if _, err := selectScenarios(feats, expr); err != nil {
			t.Fatalf("selectScenarios(%q): %v", expr, err)
		}
	})
}
