import { xmlDocument } from '../xml/document';
import { xmlChars } from '../xml/escape';
import { NS, XSD } from '../xml/namespaces';
import { OwsError } from './errors';

/** Renders an OwsError as an OWS 1.1 ExceptionReport (literal ows: prefix, non-empty locator and text). */
export function renderExceptionReport(err: OwsError, version = '2.0.0'): string {
  const doc = xmlDocument()
    .ele(NS.ows, 'ows:ExceptionReport', {
      'xmlns:xsi': NS.xsi,
      'xsi:schemaLocation': `${NS.ows} ${XSD.owsExceptionReport}`,
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
