package wire

// Limits bound what the readers accept. A zero field takes its value from
// DefaultLimits.
type Limits struct {
	// MaxBytes is the largest body (or file) read, in bytes. Reading stops
	// at the limit.
	MaxBytes int64
	// MaxParts is the largest number of parts in a multipart/related body.
	MaxParts int
	// MaxDepth is the deepest element nesting accepted in any XML part.
	MaxDepth int
	// MaxElements is the largest number of elements in one XML part;
	// comments, processing instructions and CDATA sections count as
	// elements, since each is a node of the tree as well.
	MaxElements int
	// MaxAttributes is the largest number of attributes on one element,
	// namespace declarations included.
	MaxAttributes int
	// MaxNamespaces is the largest number of namespace declarations
	// (xmlns, xmlns:prefix) on one element.
	MaxNamespaces int
	// MaxNamespacesTotal is the largest number of namespace declarations
	// in one XML part.
	MaxNamespacesTotal int
}

// DefaultLimits returns the limits the simulator uses unless configured
// otherwise: 20 MiB, 16 MIME parts, 256 levels of XML nesting, 200,000
// elements per XML part, 256 attributes per element, 64 namespace
// declarations per element and 4,096 per XML part. They are our choice;
// Kanta's own limits are not public. The samples are under 30 kB, about a
// dozen levels deep, with under 1,000 elements, at most 2 namespace
// declarations on an element and 11 in a document; 4,096 still admits a
// serializer that redeclares the default namespace on each of 4,000
// elements.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 20 << 20, MaxParts: 16, MaxDepth: 256, MaxElements: 200_000, MaxAttributes: 256,
		MaxNamespaces: 64, MaxNamespacesTotal: 4096}
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxParts <= 0 {
		l.MaxParts = d.MaxParts
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxElements <= 0 {
		l.MaxElements = d.MaxElements
	}
	if l.MaxAttributes <= 0 {
		l.MaxAttributes = d.MaxAttributes
	}
	if l.MaxNamespaces <= 0 {
		l.MaxNamespaces = d.MaxNamespaces
	}
	if l.MaxNamespacesTotal <= 0 {
		l.MaxNamespacesTotal = d.MaxNamespacesTotal
	}
	return l
}

// WithDefaults returns l with every zero field taken from DefaultLimits.
func (l Limits) WithDefaults() Limits { return l.withDefaults() }
