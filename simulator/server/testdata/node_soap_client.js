// Sends archiving messages through node-soap (npm "soap"), a stock SOAP
// client, using only the simulator's WSDL.
// Usage: node node_soap_client.js WSDL_URL SOAP_VERSION MODE FRAME [DOCUMENT] ...
// MODE "inline": each FRAME carries its document inline as base64.
// MODE "mtom": each FRAME refers to cid:document@yhteistestaus-test with an
// xop:Include, and the DOCUMENT after it is sent as that MTOM part.
// Prints one line per message, as node-soap received the answer: the
// acknowledgement's type code and the rule ids of its error details.
'use strict';
const fs = require('fs');
const soap = require('soap');

function stripDeclaration(xml) {
  return xml.replace(/^\s*<\?xml[^?]*\?>\s*/, '');
}

async function main() {
  const [wsdl, version, mode, ...files] = process.argv.slice(2);
  const client = await soap.createClientAsync(wsdl, { forceSoap12Headers: version === '1.2' });
  const step = mode === 'mtom' ? 2 : 1;
  for (let i = 0; i < files.length; i += step) {
    const frame = stripDeclaration(fs.readFileSync(files[i], 'utf8'));
    const options = {};
    if (mode === 'mtom') {
      options.forceMTOM = true;
      options.attachments = [{
        mimetype: 'text/xml',
        contentId: 'document@yhteistestaus-test',
        name: 'document.xml',
        body: fs.readFileSync(files[i + 1]),
      }];
    }
    const [, raw] = await client.RCMR_IN200002FI01Async({ _xml: frame }, options);
    const ack = raw.match(/<(?:\w+:)?acknowledgement\b[\s\S]*<\/(?:\w+:)?acknowledgement>/);
    if (!ack) {
      throw new Error('no acknowledgement in the answer: ' + raw);
    }
    const type = ack[0].match(/<(?:\w+:)?typeCode code="(A[AER])"/);
    const errors = [...ack[0].matchAll(/<(?:\w+:)?acknowledgementDetail typeCode="E">\s*<(?:\w+:)?code code="([^"]+)"/g)].map((m) => m[1]);
    console.log((type ? type[1] : '?') + ' ' + (errors.join(',') || '-'));
  }
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
