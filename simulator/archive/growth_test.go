package archive_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
	cda "github.com/yhteistestaus/yhteistestaus/simulator/message"
	"github.com/yhteistestaus/yhteistestaus/simulator/rules"
	"github.com/yhteistestaus/yhteistestaus/simulator/sqlstore"
)

// benchStores are the stores BenchmarkArchiveGrowth measures.
var benchStores = []struct {
	name string
	// open opens a store that lasts as long as b.
	open func(b *testing.B) archive.Store
}{
	{"memory", func(*testing.B) archive.Store { return archive.NewMemStore() }},
	{"sqlite", func(b *testing.B) archive.Store {
		db, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "store.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return db.Archive("growth")
	}},
}

// BenchmarkArchiveGrowth measures the archive's cost per message (ns/op:
// one journal entry of a known client and case, judged and stored) in one
// session holding 1,000 and 50,000 documents, and the heap each archived
// document keeps (heap-B/doc). The 50,000 run reports its cost as a
// multiple of the 1,000 run's (x-of-1k; the target is at most 1.5).
//
//	go test ./simulator/archive/ -run '^$' -bench ArchiveGrowth
func BenchmarkArchiveGrowth(b *testing.B) {
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			g := newGrowth(b)
			g.open = func() archive.Store { return st.open(b) }
			var base float64
			for _, size := range []int{1000, 50000} {
				b.Run(fmt.Sprintf("docs=%d", size), func(b *testing.B) {
					perMsg := g.measure(b, size)
					if size == 1000 {
						base = perMsg
					} else if base > 0 {
						b.ReportMetric(perMsg/base, "x-of-1k")
					}
				})
			}
		})
	}
}

// growth builds the messages of the benchmark from validated templates:
// each client has a client relation document, a case document and journal
// entries, the archive's usual mix.
type growth struct {
	crd, caseDoc, journal *rules.Result
	a                     *archive.Archive
	open                  func() archive.Store
	// size is the size the archive was built to, docs the documents it
	// holds, n the documents made.
	size, docs, clients, n int
	heapPerDoc             float64
}

func newGrowth(b *testing.B) *growth {
	f := docs{b}
	v, err := rules.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	v.Now = fixedClock
	return &growth{
		crd:     message(b, v, f.crd("1", jade), "", "1"),
		caseDoc: message(b, v, f.caseDoc("2", "100", jade), "", "2"),
		journal: message(b, v, f.journal("3", "100", jade), "", "3"),
	}
}

// next is the template's message as document n of client c, in the
// client's case; its document bytes are its own.
func (g *growth) next(tmpl *rules.Result, c int) *rules.Result {
	g.n++
	res := *tmpl
	d := *tmpl.Document
	id := fmt.Sprintf("%s9.%d", oid, g.n)
	d.ID.Root, d.SetID.Root = id, id
	d.Patients = []cda.Person{d.Patients[0]}
	d.Patients[0].ID.Extension = fmt.Sprintf("C%07d", c)
	if d.Case != nil {
		cs := *d.Case
		cs.ID.Root = fmt.Sprintf("%s8.%d", oid, c)
		d.Case = &cs
	}
	d.Raw = bytes.Clone(tmpl.Document.Raw)
	res.Document = &d
	return &res
}

func (g *growth) submit(b *testing.B, res *rules.Result) {
	out, err := g.a.Submit(context.Background(), res, res.Document.ID.Root)
	if err != nil || !out.Accepted {
		b.Fatalf("Submit: %+v, %v; want accepted", out, err)
	}
	g.docs++
}

// build makes an archive of size documents: a quarter of them clients with
// a client relation document, a case and two journal entries.
func (g *growth) build(b *testing.B, size int) {
	g.a = nil
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	g.a = archive.New(g.open(), catalogue.DefaultRules(), fixedClock)
	g.size, g.docs, g.clients = size, 0, size/4
	for c := range g.clients {
		g.submit(b, g.next(g.crd, c))
		g.submit(b, g.next(g.caseDoc, c))
		g.submit(b, g.next(g.journal, c))
		g.submit(b, g.next(g.journal, c))
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	g.heapPerDoc = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(size)
}

// measure times b.N journal entries of random clients against an archive
// of about size documents (rebuilt, untimed, when the messages have grown
// it by a tenth) and returns the nanoseconds per message.
func (g *growth) measure(b *testing.B, size int) float64 {
	b.StopTimer()
	if g.a == nil || g.size != size {
		g.build(b, size)
	}
	rng := rand.New(rand.NewPCG(1, uint64(size)))
	for left := b.N; left > 0; {
		room := g.size + size/10 - g.docs
		if room <= 0 {
			g.build(b, size)
			continue
		}
		batch := make([]*rules.Result, min(left, room))
		for i := range batch {
			batch[i] = g.next(g.journal, rng.IntN(g.clients))
		}
		b.StartTimer()
		for _, res := range batch {
			g.submit(b, res)
		}
		b.StopTimer()
		left -= len(batch)
	}
	b.ReportMetric(g.heapPerDoc, "heap-B/doc")
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
}
