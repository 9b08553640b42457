import { create } from 'xmlbuilder2';
import { OwsError } from './errors';

export const OWS11_NS = 'http://www.opengis.net/ows/1.1';

/** Characters XML 1.0 cannot carry even escaped (C0 controls, lone surrogates, U+FFFE/F). */
const NOT_XML_CHAR = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Replaces what XML cannot carry: messages echo user input, and the report must stay well-formed. */
function xmlChars(s: string): string {
  return s.replace(NOT_XML_CHAR, '\uFFFD');
}

/** Renders an OwsError as an OWS 1.1 ExceptionReport (literal ows: prefix, non-empty locator and text). */
export function renderExceptionReport(err: OwsError, version = '2.0.0'): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' })
    .ele(OWS11_NS, 'ows:ExceptionReport', {
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xsi:schemaLocation': `${OWS11_NS} http://schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd`,
      version,
      'xml:lang': 'en',
    })
    .ele('ows:Exception', { exceptionCode: err.code, locator: xmlChars(err.locator) || 'request' })
    .ele('ows:ExceptionText')
    .txt(xmlChars(err.message) || err.code)
    .up()
    .up();
  return doc.end({ prettyPrint: false });
}
