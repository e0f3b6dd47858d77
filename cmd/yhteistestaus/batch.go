package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/datafile"
	"github.com/yhteistestaus/yhteistestaus/reports"
	"github.com/yhteistestaus/yhteistestaus/simulator/rules"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// messageExtensions are the file name endings validate DIR reads as
// messages, separated by spaces; a file named on the command line is read
// whatever its name.
const messageExtensions = ".xml .soap .eml .mime .mht .msg"

// pairName matches a file of a frame and document pair by the naming of
// the public samples: NAME_K.xml and NAME_S.xml (kehys, the frame; sisältö,
// the document), with "_", "-", "." or a space before the letter, or
// NAME-frame.xml and NAME-document.xml.
var pairName = regexp.MustCompile(`(?i)^(.+?)([ _.-])(k|s|frame|document)\.xml$`)

// batchItem is one message to validate: a file, or a frame and its
// document.
type batchItem struct {
	file            string
	frame, document string
}

func (it batchItem) name() string {
	if it.file != "" {
		return it.file
	}
	return it.frame + " + " + it.document
}

func (it batchItem) files() []string {
	if it.file != "" {
		return []string{it.file}
	}
	return []string{it.frame, it.document}
}

// batchArgs reports whether validate's arguments ask for a batch: more
// than one, a directory, or a pattern that is not itself a file.
func batchArgs(args []string) bool {
	if len(args) != 1 {
		return len(args) > 1
	}
	fi, err := os.Stat(args[0])
	if err == nil {
		return fi.IsDir()
	}
	return hasGlob(args[0])
}

func hasGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// collect finds the messages the arguments name: files as they are,
// directories walked for files with a message extension (hidden files and
// folders left out), patterns expanded (filepath.Glob). The frame and
// document files of a pair, named as the samples are, become one message;
// a frame without its document is read as a message on its own. A pattern
// that matches nothing is an error.
func collect(args []string) ([]batchItem, error) {
	var files []string
	seen := make(map[string]bool)
	add := func(p string) {
		p = filepath.Clean(p)
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	for _, arg := range args {
		fi, err := os.Stat(arg)
		switch {
		case err == nil && fi.IsDir():
			err := filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					// An unreadable folder: its files are unreadable
					// messages rather than a stop.
					add(p)
					return fs.SkipDir
				}
				hidden := p != arg && strings.HasPrefix(d.Name(), ".")
				if d.IsDir() {
					if hidden {
						return fs.SkipDir
					}
					return nil
				}
				if !hidden && slices.Contains(strings.Fields(messageExtensions), strings.ToLower(filepath.Ext(p))) {
					add(p)
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("validate: %w", err)
			}
		case err != nil && hasGlob(arg):
			matches, err := filepath.Glob(arg)
			if err != nil {
				return nil, fmt.Errorf("%w: validate: pattern %q: %v", errUsage, arg, err)
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("%w: validate: no file matches %q", errUsage, arg)
			}
			for _, m := range matches {
				if fi, err := os.Stat(m); err == nil && fi.IsDir() {
					sub, err := collect([]string{m})
					if err != nil {
						return nil, err
					}
					for _, it := range sub {
						for _, f := range it.files() {
							add(f)
						}
					}
					continue
				}
				add(m)
			}
		default:
			// A file, or a name that cannot be read: the latter is an
			// unreadable message.
			add(arg)
		}
	}
	return pair(files), nil
}

// pair makes one message of each frame and document pair among files and
// keeps the others as single files, in the order of files.
func pair(files []string) []batchItem {
	type half struct{ frame, document string }
	halves := make(map[string]*half)
	keyOf := func(p string) (key string, frame bool, ok bool) {
		m := pairName.FindStringSubmatch(filepath.Base(p))
		if m == nil {
			return "", false, false
		}
		kind := strings.ToLower(m[3])
		family := "ks"
		if kind == "frame" || kind == "document" {
			family = "fd"
		}
		return filepath.Join(filepath.Dir(p), m[1]) + "\x00" + m[2] + family, kind == "k" || kind == "frame", true
	}
	for _, p := range files {
		key, frame, ok := keyOf(p)
		if !ok {
			continue
		}
		h := halves[key]
		if h == nil {
			h = &half{}
			halves[key] = h
		}
		if frame {
			h.frame = p
		} else {
			h.document = p
		}
	}
	var items []batchItem
	for _, p := range files {
		key, frame, ok := keyOf(p)
		if ok {
			if h := halves[key]; h.frame != "" && h.document != "" {
				if frame {
					items = append(items, batchItem{frame: h.frame, document: h.document})
				}
				continue
			}
		}
		items = append(items, batchItem{file: p})
	}
	return items
}

// validateItem validates one message as validate FILE or validate --frame
// --document does.
func validateItem(ctx context.Context, v *rules.Validator, it batchItem) reports.BatchMessage {
	start := time.Now()
	out := reports.BatchMessage{Name: it.name(), Files: it.files()}
	defer func() { out.Duration = time.Since(start) }()
	maxBytes := v.Limits.WithDefaults().MaxBytes
	// read reads one file as validate FILE does: a file over the size
	// limit is the finding it is there too; another failure leaves the
	// message unreadable.
	read := func(path string) ([]byte, bool) {
		data, err := datafile.ReadFile(path, maxBytes)
		if tl, ok := errors.AsType[*datafile.TooLargeError](err); ok {
			out.Findings = yhteistestaus.Findings{tooLargeFinding(v, tl)}
			return nil, false
		}
		if err != nil {
			out.Unreadable = err.Error()
			return nil, false
		}
		return data, true
	}
	if it.file == "" {
		frame, ok := read(it.frame)
		if !ok {
			return out
		}
		document, ok := read(it.document)
		if !ok {
			return out
		}
		out.Findings = v.Validate(ctx, frame, document).Findings
		return out
	}
	data, ok := read(it.file)
	if !ok {
		return out
	}
	msg, err := wire.ReadFile(data, v.Limits)
	if err != nil {
		out.Findings = yhteistestaus.Findings{v.Catalogue.Finding(wire.RuleOf(err), "/", "%s: %s", it.file, wire.Reason(err))}
		return out
	}
	out.Findings = v.ValidateXML(ctx, msg.FrameXML, msg.DocumentXML, msg.Document).Findings
	return out
}

// batchOptions are validate's batch outputs.
type batchOptions struct {
	format, junit, json string
}

// validateBatch validates every message the arguments name, as many at a
// time as GOMAXPROCS, showing progress on standard error when it is a
// terminal; it prints the messages with errors or unreadable and one
// summary line, and writes the JUnit and JSON summaries asked for. Exit
// status: 0 every message is valid, 1 one has an error finding, 2 one
// could not be read (or none was found).
func (m *Main) validateBatch(ctx context.Context, v *rules.Validator, args []string, o batchOptions) (int, error) {
	items, err := collect(args)
	if err != nil {
		return 0, err
	}
	if len(items) == 0 {
		return 0, fmt.Errorf("%w: validate: no message files (%s) in %s", errUsage, messageExtensions, strings.Join(args, " "))
	}
	b := &reports.Batch{Started: time.Now(), Messages: make([]reports.BatchMessage, len(items))}
	var done atomic.Int64
	stop := m.progress(len(items), &done)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				b.Messages[i] = validateItem(ctx, v, items[i])
				done.Add(1)
			}
		}()
	}
feed:
	for i := range items {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	stop()
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("validate: %w", err)
	}
	b.Duration = time.Since(b.Started)

	if o.junit != "" {
		if err := writeReportFile(o.junit, func(w io.Writer) error { return reports.WriteBatchJUnit(w, b) }); err != nil {
			return 0, fmt.Errorf("--junit: %w", err)
		}
	}
	if o.json != "" {
		if err := writeReportFile(o.json, func(w io.Writer) error { return reports.WriteBatchJSON(w, b) }); err != nil {
			return 0, fmt.Errorf("--json: %w", err)
		}
	}
	if o.format == "json" {
		if err := reports.WriteBatchJSON(m.Stdout, b); err != nil {
			return 0, err
		}
	} else {
		for _, msg := range b.Messages {
			switch msg.Status() {
			case reports.BatchInvalid:
				errs := msg.Findings.Errors()
				fmt.Fprintf(m.Stdout, "INVALID %s: %d error(s): %s\n", msg.Name, len(errs), strings.Join(errs.Rules(), ", "))
			case reports.BatchUnreadable:
				fmt.Fprintf(m.Stdout, "UNREADABLE %s: %s\n", msg.Name, msg.Unreadable)
			}
		}
		fmt.Fprintln(m.Stdout, b.Summary())
	}
	_, invalid, unreadable := b.Counts()
	switch {
	case unreadable > 0:
		return exitUsage, nil
	case invalid > 0:
		return exitInvalid, nil
	}
	return exitOK, nil
}

// writeReportFile writes a summary file whole through a temporary file.
func writeReportFile(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// progress draws a progress bar of done out of total on standard error
// while the batch runs, when standard error is a terminal; the returned
// function stops it and clears the line.
func (m *Main) progress(total int, done *atomic.Int64) (stop func()) {
	f, ok := m.Stderr.(interface{ Fd() uintptr })
	if !ok || !(isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return func() {}
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	draw := func() {
		n := int(done.Load())
		const width = 30
		bar := strings.Repeat("=", n*width/total) + strings.Repeat(" ", width-n*width/total)
		fmt.Fprintf(m.Stderr, "\rvalidating [%s] %d/%d", bar, n, total)
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				draw()
			case <-quit:
				fmt.Fprintf(m.Stderr, "\r%s\r", strings.Repeat(" ", 60))
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}
