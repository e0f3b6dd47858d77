package wire_test

import (
	"bytes"
	"fmt"

	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

func Example() {
	frame := []byte(`<RCMR_IN200002FI01 xmlns="urn:hl7-org:v3"><controlActProcess><subject>` +
		`<clinicalDocument><id root="1.2.3"/></clinicalDocument></subject></controlActProcess></RCMR_IN200002FI01>`)
	document := []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2.3"/></ClinicalDocument>`)

	// The vendor side sends the document as an MTOM attachment.
	var body bytes.Buffer
	contentType, err := wire.WriteRequest(&body, "1.2", wire.MTOM, frame, document)
	if err != nil {
		panic(err)
	}

	// The archive side splits the request into frame and document.
	msg, err := wire.Read(contentType, &body, wire.DefaultLimits())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(msg.SOAPVersion, msg.Interaction, msg.DocumentFrom, bytes.Equal(msg.Document, document))
	// Output: 1.2 RCMR_IN200002FI01 xop true
}
