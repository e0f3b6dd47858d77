package server_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/catalogue"
)

// The validation service joins its items with ";" and the public client
// splits on it, so no text that can end up in a finding contains one: not
// the catalogue's rules, and not the message literals of the simulator's
// Go code (arguments of the calls that make findings and errors).
func TestNoSemicolonInFindingTexts(t *testing.T) {
	for _, r := range catalogue.DefaultRules().All() {
		for field, text := range map[string]string{"title": r.Title, "section": r.Section, "lines": r.Lines, "note": r.Note} {
			if strings.Contains(text, ";") {
				t.Errorf("rule %s: %s contains ';': %q", r.ID, field, text)
			}
		}
	}
	makers := map[string]bool{"add": true, "addf": true, "Finding": true, "errorf": true, "Errorf": true, "Sprintf": true, "New": true}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			if !makers[name] {
				return true
			}
			for _, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				if s, err := strconv.Unquote(lit.Value); err == nil && strings.Contains(s, ";") {
					t.Errorf("%s: %s message contains ';': %q", fset.Position(lit.Pos()), name, s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
