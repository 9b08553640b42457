import { xmlRoot, xmlString } from '../xml/document';
import { xmlChars } from '../xml/escape';
import { NS, XSD } from '../xml/namespaces';
import { OwsError } from './errors';

/** Renders an OwsError as an OWS 1.1 ExceptionReport (literal ows: prefix, non-empty locator and text). */
export function renderExceptionReport(err: OwsError, version = '2.0.0'): string {
  const root = xmlRoot('ows:ExceptionReport', ['xsi'], {
    'xsi:schemaLocation': `${NS.ows} ${XSD.owsExceptionReport}`,
    version,
    'xml:lang': 'en',
  });
  root
    .ele('ows:Exception', { exceptionCode: err.code, locator: xmlChars(err.locator) || 'request' })
    .ele('ows:ExceptionText')
    .txt(xmlChars(err.message) || err.code);
  return xmlString(root);
}
