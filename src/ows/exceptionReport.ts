import { xmlDocument } from '../xml/document';
import { xmlChars } from '../xml/escape';
import { OwsError } from './errors';

export const OWS11_NS = 'http://www.opengis.net/ows/1.1';

/** Renders an OwsError as an OWS 1.1 ExceptionReport (literal ows: prefix, non-empty locator and text). */
export function renderExceptionReport(err: OwsError, version = '2.0.0'): string {
  const doc = xmlDocument()
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
