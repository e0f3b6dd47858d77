package catalogue

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Rule ids are written in Go as string literals ("HDR-CASE-ID"), not as
// generated constants: many changes add rules and uses of them at once, and
// literals merge without a generation step. This test is what makes a
// literal safe: it parses every Go file of the module and fails on any rule
// id the catalogue (rules/*.yaml) does not hold. A rule id is written
//
//   - as any string literal shaped like an id whose prefix is one of the
//     catalogue's (ARC-, HDR-, ...): checked in every file, tests included,
//     so a typo in an expected rule fails too;
//   - as the first argument of a rule-id function: Rules.Finding,
//     Rules.Rule and every function or method of the module whose first
//     parameter is named rule (the validator's and the archive's add);
//   - as the value of a field named Rule in a composite literal
//     (yhteistestaus.Finding{Rule: ...}).
//
// The last two are checked in non-test files whatever the literal looks
// like; tests may build findings of made-up rules (the acknowledgement's
// round trip does not care which rule it carries).

// notRules are literals in a rule-id position that are deliberately not
// catalogue rules.
var notRules = map[string]string{
	"INTERNAL-UNKNOWN-RULE": "Rules.Finding's answer to an id missing from the catalogue",
}

var ruleShape = regexp.MustCompile(`^([A-Z][A-Z0-9]*)(-[A-Z0-9]+)+$`)

func TestEveryRuleIDInGoIsInTheCatalogue(t *testing.T) {
	root := moduleRoot(t)
	names := goFiles(t, root)
	if len(names) < 50 {
		t.Fatalf("found %d Go files under %s; the walk is broken", len(names), root)
	}
	fset := token.NewFileSet()
	files := make(map[string]*ast.File, len(names))
	for _, name := range names {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		rel, _ := filepath.Rel(root, name)
		files[filepath.ToSlash(rel)] = f
	}
	problems, checked := ruleIDProblems(fset, files, DefaultRules())
	for _, p := range problems {
		t.Error(p)
	}
	if checked < 100 {
		t.Errorf("checked only %d rule ids in Go; the scan is broken", checked)
	}
}

// TestRuleIDScanCatchesTypos runs the scan on a made-up package with a
// wrong rule id in each position it looks at.
func TestRuleIDScanCatchesTypos(t *testing.T) {
	const src = `package x

import "github.com/yhteistestaus/yhteistestaus"

type judge struct{}

func (j *judge) add(rule, where string) {}

func f(j *judge, c interface{ Finding(id, loc, msg string) }) {
	j.add("HDR-CASE-ID", "/")           // known
	j.add("HDR-CASE-IDD", "/")          // typo in a known prefix
	j.add("HRD-CASE-ID", "/")           // typo in the prefix
	c.Finding("FRAME-SERVICE-REQUEST", "/", "m")
	c.Finding("FRAME-SERVICE-REQEST", "/", "m")
	_ = yhteistestaus.Finding{Rule: "XML-WELLFORMD"}
	_ = "ARC-NO-SUCH" // any literal shaped like a rule id
	_ = "UTF-8"       // not a rule prefix
	_ = "INTERNAL-UNKNOWN-RULE"
}
`
	const testSrc = `package x

func g(j *judge) {
	j.add("NO-SUCH-RULE", "/")        // tests may use made-up rules
	_ = Finding{Rule: "R-1"}
	want := "SIG-MISSSING"             // but not misspell real ones
	_ = want
}
`
	fset := token.NewFileSet()
	files := make(map[string]*ast.File)
	for name, s := range map[string]string{"x/x.go": src, "x/x_test.go": testSrc} {
		f, err := parser.ParseFile(fset, name, s, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = f
	}
	problems, _ := ruleIDProblems(fset, files, DefaultRules())
	want := []string{
		`x/x.go:11: rule of add "HDR-CASE-IDD"`,
		`x/x.go:12: rule of add "HRD-CASE-ID"`,
		`x/x.go:14: rule of Finding "FRAME-SERVICE-REQEST"`,
		`x/x.go:15: Rule field "XML-WELLFORMD"`,
		`x/x.go:16: rule id "ARC-NO-SUCH"`,
		`x/x_test.go:6: rule id "SIG-MISSSING"`,
	}
	got := make([]string, len(problems))
	for i, p := range problems {
		got[i] = strings.TrimSuffix(p, " is not in catalogue/rules")
	}
	slices.Sort(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// ruleIDProblems scans the files (named by slash path) for rule ids the
// catalogue does not hold and returns one line per problem, and how many
// rule ids it checked.
func ruleIDProblems(fset *token.FileSet, files map[string]*ast.File, cat *Rules) (problems []string, checked int) {
	prefixes := make(map[string]bool)
	for _, r := range cat.All() {
		prefixes[strings.SplitN(r.ID, "-", 2)[0]] = true
	}
	ruleFuncs := make(map[string]map[string]bool) // directory -> function names
	for name, f := range files {
		dir := path.Dir(name)
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !firstParamIsRule(fd.Type) {
				continue
			}
			if ruleFuncs[dir] == nil {
				ruleFuncs[dir] = make(map[string]bool)
			}
			ruleFuncs[dir][fd.Name.Name] = true
		}
	}
	for name, f := range files {
		isTest := strings.HasSuffix(name, "_test.go")
		funcs := ruleFuncs[path.Dir(name)]
		check := func(lit *ast.BasicLit, why string) {
			id, err := strconv.Unquote(lit.Value)
			if err != nil {
				return
			}
			checked++
			if _, ok := cat.Rule(id); ok {
				return
			}
			if _, ok := notRules[id]; ok {
				return
			}
			problems = append(problems, fmt.Sprintf("%s:%d: %s %q is not in catalogue/rules",
				name, fset.Position(lit.Pos()).Line, why, id))
		}
		// A literal in a rule-id position is checked there, not twice.
		positioned := make(map[*ast.BasicLit]bool)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if isTest || len(n.Args) == 0 {
					break
				}
				lit, ok := n.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					break
				}
				if callee := calleeName(n.Fun); callee == "Finding" || callee == "Rule" || funcs[callee] {
					positioned[lit] = true
					check(lit, "rule of "+callee)
				}
			case *ast.KeyValueExpr:
				key, ok := n.Key.(*ast.Ident)
				lit, isLit := n.Value.(*ast.BasicLit)
				if !isTest && ok && isLit && key.Name == "Rule" && lit.Kind == token.STRING && lit.Value != `""` {
					positioned[lit] = true
					check(lit, "Rule field")
				}
			case *ast.BasicLit:
				if n.Kind != token.STRING || positioned[n] {
					break
				}
				s, err := strconv.Unquote(n.Value)
				if err != nil {
					break
				}
				if m := ruleShape.FindStringSubmatch(s); m != nil && prefixes[m[1]] {
					check(n, "rule id")
				}
			}
			return true
		})
	}
	return problems, checked
}

func firstParamIsRule(ft *ast.FuncType) bool {
	if ft.Params == nil || len(ft.Params.List) == 0 || len(ft.Params.List[0].Names) == 0 {
		return false
	}
	return ft.Params.List[0].Names[0].Name == "rule"
}

func calleeName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// moduleRoot is the directory of go.mod above the package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package")
		}
		dir = parent
	}
}

// goFiles lists the module's Go files, leaving out hidden directories,
// testdata and nested modules.
func goFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return filepath.SkipDir
			}
			if p != root {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return out
}
