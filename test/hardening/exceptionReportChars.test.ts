import { OwsError } from '../../src/ows/errors';
import { renderExceptionReport } from '../../src/ows/exceptionReport';
import { parseXml } from '../../src/http/xml';
import { expectValidXml } from '../helpers/xmllint';

// Error messages echo user input; characters XML cannot carry must never make the report malformed.
test('control characters and lone surrogates in a message or locator are replaced, the report stays schema-valid', () => {
  const err = new OwsError('InvalidParameterValue', 'type\u0000Names', 'Unknown feature type "a\u0000b\u0001c\ud800d\uffff" ok 🦀');
  const xml = renderExceptionReport(err);
  expect(xml).not.toMatch(/[\u0000\u0001\ud800\uffff]/);
  expect(xml).toContain('a\ufffdb\ufffdc\ufffdd\ufffd" ok 🦀');
  expectValidXml(xml, 'ows11');
});

test('an XML request with a NUL or other forbidden control character is OperationParsingFailed', () => {
  for (const bad of ['<a x="\u0000"/>', '<a>\u0001</a>', '<a>\uffff</a>']) {
    expect(() => parseXml(bad)).toThrow(expect.objectContaining({ code: 'OperationParsingFailed', locator: 'request' }));
  }
  expect(parseXml('<a>\t\r\n ok é 🦀</a>').text).toBe('ok é 🦀');
});
