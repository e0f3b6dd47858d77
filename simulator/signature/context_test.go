package signature

import (
	"reflect"
	"testing"

	"github.com/beevik/etree"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

func TestParentContextSameAsLibrary(t *testing.T) {
	docs := []string{
		`<a xmlns="urn:a" xmlns:p="urn:p"><b xmlns:p="urn:p2" xmlns:q="urn:q"><c xmlns=""><d/></c></b></a>`,
		`<a xmlns:xml="http://www.w3.org/XML/1998/namespace"><b><c/></b></a>`,
		`<a xmlns:xml="urn:wrong"><b><c/></b></a>`,
		`<a xmlns:xmlns="urn:wrong"><b><c/></b></a>`,
		`<a xmlns="http://www.w3.org/2000/xmlns/"><b><c/></b></a>`,
		`<a xmlns:p="urn:1"><b xmlns:p="urn:2"><c xmlns:p="urn:3"/></b></a>`,
	}
	for _, src := range docs {
		d := etree.NewDocument()
		if err := d.ReadFromString(src); err != nil {
			t.Fatal(err)
		}
		var els []*etree.Element
		walk(d.Root(), func(e *etree.Element) { els = append(els, e) })
		for _, e := range els {
			want, werr := etreeutils.NSBuildParentContext(e)
			got, gerr := parentContext(e)
			if werr != gerr {
				t.Fatalf("%s at %s: error %v, library %v", src, e.Tag, gerr, werr)
			}
			if werr == nil && !reflect.DeepEqual(got.Prefixes(), want.Prefixes()) {
				t.Errorf("%s at %s: %v, library %v", src, e.Tag, got.Prefixes(), want.Prefixes())
			}
		}
	}
}
