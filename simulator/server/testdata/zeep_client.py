"""Sends archiving messages through zeep, a stock SOAP client, using only
the simulator's WSDL. Usage: zeep_client.py WSDL_URL SOAP_VERSION FRAME...

Each FRAME is an RCMR_IN200002FI01 file whose document is inline base64.
Prints one line per frame, as zeep read the answer: the acknowledgement's
type code (AA, AE, AR) and the rule ids of its error details, joined by
commas ("AE SIG-DIGEST,SIG-DIGEST").
"""

import sys

from lxml import etree
import zeep

HL7 = "urn:hl7-org:v3"


def main():
    wsdl, version, frames = sys.argv[1], sys.argv[2], sys.argv[3:]
    settings = zeep.Settings(strict=True)
    client = zeep.Client(wsdl, settings=settings)
    port = "ArchiveSoap11Port" if version == "1.1" else "ArchiveSoap12Port"
    service = client.bind("ArchiveService", port)
    for path in frames:
        root = etree.parse(path).getroot()
        answer = service.RCMR_IN200002FI01(_value_1=list(root), _attr_1=dict(root.attrib))
        ack = next(e for e in answer["_value_1"] if etree.QName(e).localname == "acknowledgement")
        type_code = ack.find("{%s}typeCode" % HL7)
        code = type_code.get("code") if type_code is not None else ack.get("typeCode")
        errors = [
            d.find("{%s}code" % HL7).get("code")
            for d in ack.findall("{%s}acknowledgementDetail" % HL7)
            if d.get("typeCode") == "E"
        ]
        print(code, ",".join(errors) or "-")


if __name__ == "__main__":
    main()
