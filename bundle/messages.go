package bundle

import (
	"fmt"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
)

// The names of a message's files inside its folder, messages/SEQ/.
const (
	MessagesDir         = "messages"
	MessagesIndex       = "messages.json"
	ExchangeFile        = "exchange.json"
	FindingsFile        = "findings.json"
	FrameFile           = "frame.xml"
	DocumentFile        = "document.xml"
	AcknowledgementFile = "acknowledgement.xml"
)

// Index is messages.json: every message of the bundle, oldest first, with
// its metadata and findings and the folder of its files.
type Index struct {
	// Session is the archive session the messages came to.
	Session  string       `json:"session"`
	Messages []IndexEntry `json:"messages"`
}

// IndexEntry is one message in Index.
type IndexEntry struct {
	api.Exchange
	// Folder is the message's folder in the bundle, e.g. messages/000001.
	Folder string `json:"folder"`
	// Files are the names of the files in Folder.
	Files []string `json:"files"`
}

// AddExchanges writes the exchanges of an archive session: for each, its
// folder messages/SEQ with the exchange's metadata and findings, the frame
// and the document as received and the acknowledgement as sent (the files
// the exchange has), then messages.json, the index of them all.
func (b *Writer) AddExchanges(session string, exs []*api.Exchange) error {
	idx := Index{Session: session, Messages: make([]IndexEntry, 0, len(exs))}
	for _, ex := range exs {
		dir := fmt.Sprintf("%s/%06d", MessagesDir, ex.Seq)
		e := IndexEntry{Exchange: *ex, Folder: dir}
		findings := ex.Findings
		if findings == nil {
			findings = yhteistestaus.Findings{}
		}
		if err := b.AddJSON(dir+"/"+ExchangeFile, ex); err != nil {
			return err
		}
		if err := b.AddJSON(dir+"/"+FindingsFile, findings); err != nil {
			return err
		}
		e.Files = append(e.Files, ExchangeFile, FindingsFile)
		for _, p := range []struct {
			name string
			data []byte
		}{{FrameFile, ex.Frame}, {DocumentFile, ex.Document}, {AcknowledgementFile, ex.Ack}} {
			if len(p.data) == 0 {
				continue
			}
			if err := b.Add(dir+"/"+p.name, p.data); err != nil {
				return err
			}
			e.Files = append(e.Files, p.name)
		}
		idx.Messages = append(idx.Messages, e)
	}
	return b.AddJSON(MessagesIndex, idx)
}
