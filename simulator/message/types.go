package message

import (
	"strconv"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// II is an HL7 instance identifier: root OID, optional extension, or a
// null flavor.
type II struct {
	Root       string
	Extension  string
	NullFlavor string
	// El is the element the identifier was read from; nil when absent.
	El *etree.Element
}

// readII reads an identifier element (nil gives the zero II).
func readII(e *etree.Element) II {
	if e == nil {
		return II{}
	}
	return II{Root: attr(e, "root"), Extension: attr(e, "extension"), NullFlavor: attr(e, "nullFlavor"), El: e}
}

// Present reports whether the identifier element exists.
func (id II) Present() bool { return id.El != nil }

// Null reports whether the identifier carries no value: absent, or a null
// flavor without a root.
func (id II) Null() bool { return id.El == nil || (id.Root == "" && id.Extension == "") }

// String returns root^extension, or root alone.
func (id II) String() string {
	if id.Extension != "" {
		return id.Root + "^" + id.Extension
	}
	return id.Root
}

// Code is an HL7 coded value.
type Code struct {
	Code        string
	CodeSystem  string
	DisplayName string
	NullFlavor  string
	// El is the element the code was read from; nil when absent.
	El *etree.Element
}

func readCode(e *etree.Element) Code {
	if e == nil {
		return Code{}
	}
	return Code{
		Code: attr(e, "code"), CodeSystem: attr(e, "codeSystem"),
		DisplayName: attr(e, "displayName"), NullFlavor: attr(e, "nullFlavor"), El: e,
	}
}

// Present reports whether the code element exists.
func (c Code) Present() bool { return c.El != nil }

// Value is an element with a value attribute (time stamps, version numbers)
// or text content.
type Value struct {
	Value string
	El    *etree.Element
}

func readValue(e *etree.Element) Value {
	if e == nil {
		return Value{}
	}
	if v := attr(e, "value"); v != "" {
		return Value{Value: v, El: e}
	}
	return Value{Value: Text(e), El: e}
}

// Present reports whether the element exists.
func (v Value) Present() bool { return v.El != nil }

// Int returns the value as an integer.
func (v Value) Int() (int, error) { return strconv.Atoi(v.Value) }

// Person is a person named in the message: a client (patient) or a
// professional.
type Person struct {
	ID        II
	Given     []string
	Family    string
	BirthTime Value
	Gender    Code
	// El is the element holding the person.
	El *etree.Element
}

func readName(p *Person, name *etree.Element, ns string) {
	if name == nil {
		return
	}
	for _, g := range children(name, ns, "given") {
		if attr(g, "qualifier") == "" {
			p.Given = append(p.Given, Text(g))
		}
	}
	p.Family = Text(child(name, ns, "family"))
}

// readPatients reads the recordTarget clients of e: recordTarget/role/id
// with name, birth time and gender in role/person.
func readPatients(e *etree.Element, role, person string) []Person {
	var out []Person
	for _, rt := range children(e, kanta.NamespaceHL7, "recordTarget") {
		r := child(rt, kanta.NamespaceHL7, role)
		if r == nil {
			continue
		}
		p := Person{ID: readII(child(r, kanta.NamespaceHL7, "id")), El: r}
		pp := child(r, kanta.NamespaceHL7, person)
		readName(&p, child(pp, kanta.NamespaceHL7, "name"), kanta.NamespaceHL7)
		p.BirthTime = readValue(child(pp, kanta.NamespaceHL7, "birthTime"))
		p.Gender = readCode(child(pp, kanta.NamespaceHL7, "administrativeGenderCode"))
		out = append(out, p)
	}
	return out
}

// readAuthors reads author/assignedAuthor persons of e.
func readAuthors(e *etree.Element) []Person {
	var out []Person
	for _, au := range children(e, kanta.NamespaceHL7, "author") {
		aa := child(au, kanta.NamespaceHL7, "assignedAuthor")
		p := Person{ID: readII(child(aa, kanta.NamespaceHL7, "id")), El: aa}
		readName(&p, path(aa, kanta.NamespaceHL7, "assignedPerson", "name"), kanta.NamespaceHL7)
		out = append(out, p)
	}
	return out
}
