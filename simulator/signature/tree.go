package signature

import (
	"strconv"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// is reports whether el is the element {ns}local. Prefixes are ignored; only
// the namespace URI in scope counts.
func is(el *etree.Element, ns, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == ns
}

// child returns the first child element {ns}local of el, or nil.
func child(el *etree.Element, ns, local string) *etree.Element {
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok && is(c, ns, local) {
			return c
		}
	}
	return nil
}

// children returns the child elements {ns}local of el.
func children(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok && is(c, ns, local) {
			out = append(out, c)
		}
	}
	return out
}

// idOf returns the value of el's identifier attribute: ID, Id or id,
// in that order of preference. Namespaced attributes do not count.
func idOf(el *etree.Element) string {
	for _, key := range [...]string{"ID", "Id", "id"} {
		for _, a := range el.Attr {
			if a.Space == "" && a.Key == key {
				return a.Value
			}
		}
	}
	return ""
}

// attr returns the value of el's unprefixed attribute key, or "".
func attr(el *etree.Element, key string) string {
	if el == nil {
		return ""
	}
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value
		}
	}
	return ""
}

// text returns the concatenated character data directly inside el, skipping
// comments and child elements (base64 values are sometimes split by
// comments).
func text(el *etree.Element) string {
	if len(el.Child) == 1 {
		if cd, ok := el.Child[0].(*etree.CharData); ok {
			return cd.Data
		}
	}
	var b strings.Builder
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return b.String()
}

// walk calls visit for el and every element below it, depth first, without
// recursion so that deep documents cannot exhaust the stack.
func walk(el *etree.Element, visit func(*etree.Element)) {
	stack := []*etree.Element{el}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		visit(e)
		for i := len(e.Child) - 1; i >= 0; i-- {
			if c, ok := e.Child[i].(*etree.Element); ok {
				stack = append(stack, c)
			}
		}
	}
}

// path returns an XPath-like location of el made of local names, with a
// 1-based position where a parent has several children of the same name,
// e.g. /ClinicalDocument/localSocialHeader/signatureCollection/signature[2].
func path(el *etree.Element) string {
	var steps []string
	for e := el; e != nil && e.Tag != ""; e = e.Parent() {
		step := e.Tag
		if p := e.Parent(); p != nil {
			n, pos := 0, 0
			for _, t := range p.Child {
				if c, ok := t.(*etree.Element); ok && c.Tag == e.Tag {
					n++
					if c == e {
						pos = n
					}
				}
			}
			if n > 1 {
				step += "[" + strconv.Itoa(pos) + "]"
			}
		}
		steps = append(steps, step)
	}
	var b strings.Builder
	for i := len(steps) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(steps[i])
	}
	return b.String()
}

// indexPath returns the child-token indexes leading from ancestor down to el,
// or false when el is not inside ancestor.
func indexPath(ancestor, el *etree.Element) ([]int, bool) {
	var idx []int
	for e := el; e != ancestor; e = e.Parent() {
		if e == nil || e.Parent() == nil {
			return nil, false
		}
		idx = append(idx, e.Index())
	}
	for i, j := 0, len(idx)-1; i < j; i, j = i+1, j-1 {
		idx[i], idx[j] = idx[j], idx[i]
	}
	return idx, true
}

// parentContext returns what etreeutils.NSBuildParentContext(el) returns,
// the namespace context in scope at el's parent, with one map instead of
// one per ancestor: the declarations of el's ancestors, the nearest one for
// each prefix, are gathered onto one element, which a default context then
// enters. Every ancestor's declarations are checked as entering it would
// check them, root first, so a reserved or invalid declaration fails the
// same way.
func parentContext(el *etree.Element) (etreeutils.NSContext, error) {
	var chain []*etree.Element
	for p := el.Parent(); p != nil; p = p.Parent() {
		chain = append(chain, p)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		for _, a := range chain[i].Attr {
			switch {
			case a.Space == "xmlns" && a.Key == "xml" && a.Value != etreeutils.XMLNamespace,
				a.Space == "xmlns" && a.Key == "xmlns":
				return etreeutils.NSContext{}, etreeutils.ErrReservedNamespace
			case a.Space == "" && a.Key == "xmlns" && a.Value == etreeutils.XMLNSNamespace:
				return etreeutils.NSContext{}, etreeutils.ErrInvalidDefaultNamespace
			}
		}
	}
	var scope etree.Element
	declared := func(a etree.Attr) bool {
		for _, b := range scope.Attr {
			if b.Space == a.Space && b.Key == a.Key {
				return true
			}
		}
		return false
	}
	for _, p := range chain { // nearest first
		for _, a := range p.Attr {
			if (a.Space == "xmlns" || a.Space == "" && a.Key == "xmlns") && !declared(a) {
				scope.Attr = append(scope.Attr, a)
			}
		}
	}
	return etreeutils.NewDefaultNSContext().SubContext(&scope)
}

// canonicalize writes the canonical form of the subtree at el under the
// canonicalization algorithm alg (see isCanonicalization) to w. The
// namespace declarations in scope at el are carried over, as canonicalizing
// a subtree of a document requires. If exclude is inside el, it is left
// out, as the enveloped-signature transform demands. The document itself
// is not changed: only el's subtree is copied. The verifier passes a writer
// into the digest, so the canonical form is hashed as it is written and
// never held in memory whole.
func canonicalize(el *etree.Element, alg, prefixList string, exclude *etree.Element, w etree.Writer) error {
	var excludePath []int
	if exclude != nil {
		excludePath, _ = indexPath(el, exclude)
	}
	ctx, err := parentContext(el)
	if err != nil {
		return err
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return err
	}
	if len(excludePath) > 0 {
		e := detached
		for _, i := range excludePath[:len(excludePath)-1] {
			e = e.Child[i].(*etree.Element)
		}
		e.RemoveChildAt(excludePath[len(excludePath)-1])
	}
	switch dsig.AlgorithmID(alg) {
	case dsig.CanonicalXML10ExclusiveAlgorithmId, dsig.CanonicalXML10ExclusiveWithCommentsAlgorithmId:
		// goxmldsig's exclusive canonicalizer is this transform and then a
		// canonical write of a copy of the element. detached is a copy of
		// its own already, so it is written straight to w: the same bytes,
		// without a second copy of the subtree.
		comments := dsig.AlgorithmID(alg) == dsig.CanonicalXML10ExclusiveWithCommentsAlgorithmId
		if err := etreeutils.TransformExcC14n(detached, prefixList, comments); err != nil {
			return err
		}
		detached.WriteTo(w, &etree.WriteSettings{CanonicalAttrVal: true, CanonicalEndTags: true, CanonicalText: true})
		return nil
	}
	b, err := canonicalizer(alg, prefixList).Canonicalize(detached)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
