import { createTestApp, TestApp, textBody } from '../helpers/app';
import { formatColumn, responseFormats, SERIES_FORMATS, seriesFormats } from '../../src/sos/formats';
import { parseXmlDoc } from './helpers';

// The format table (src/sos/formats.ts) is the only list of GetObservation formats: both capabilities
// documents advertise exactly its rows and dispatch serves every row, so a new row is a new format.

const OFF = 'OUVEA01_TEMP_0A_SBE56';
const PROP = 'http://vocab.nerc.ac.uk/standard_name/sea_water_temperature/';
const WEEK = '2024-02-01T00:00:00Z/2024-02-08T00:00:00Z';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const get = (q: string) => t.http.get(`/sos?${q}`).buffer(true).parse(textBody);

type Node = Record<string, unknown[]>;
const kids = (n: unknown, name: string): Node[] => ((n as Node)[name] ?? []) as Node[];
const text = (n: unknown): string => (typeof n === 'object' && n !== null ? String((n as Record<string, unknown>)['#text'] ?? '') : String(n));

/** The allowed values of one parameter of one operation in a capabilities document. */
function parameterValues(caps: Node, root: string, operation: string, parameter: string): string[] {
  const om = kids(kids(caps, root)[0], 'ows:OperationsMetadata')[0];
  const op = kids(om, 'ows:Operation').find((o) => (o['@_name'] as unknown as string[])[0] === operation)!;
  const p = kids(op, 'ows:Parameter').find((x) => (x['@_name'] as unknown as string[])[0] === parameter)!;
  return kids(kids(p, 'ows:AllowedValues')[0], 'ows:Value').map(text);
}

/** The names of the MaxObservations constraints of GetObservation. */
function limitNames(xml: string): string[] {
  return [...xml.matchAll(/<ows:Constraint name="MaxObservations ([^"]+)">/g)].map((m) => m[1]);
}

describe('SOS response format table', () => {
  test('SOS 2.0 capabilities advertise exactly the 2.0 rows: formats, limits, observation types, profiles', async () => {
    const r = await get('service=SOS&request=GetCapabilities&acceptversions=2.0.0');
    expect(r.status).toBe(200);
    const caps = parseXmlDoc(r.body) as Node;
    const rows = seriesFormats('2.0.0');
    expect(parameterValues(caps, 'sos:Capabilities', 'GetObservation', 'responseFormat')).toEqual(responseFormats('2.0.0'));
    const contents = kids(kids(kids(caps, 'sos:Capabilities')[0], 'sos:contents')[0], 'sos:Contents')[0];
    expect(kids(contents, 'sos:responseFormat').map(text)).toEqual(rows.map((f) => f.responseFormat));
    expect(kids(contents, 'sos:observationType').map(text)).toEqual(formatColumn('2.0.0', 'observationType'));
    const offering = kids(kids(contents, 'swes:offering')[0], 'sos:ObservationOffering')[0];
    expect(kids(offering, 'sos:responseFormat').map(text)).toEqual(rows.map((f) => f.responseFormat));
    expect(limitNames(r.body)).toEqual(rows.filter((f) => f.xmlBytesPerObservation).map((f) => f.responseFormat));
    const profiles = kids(kids(kids(caps, 'sos:Capabilities')[0], 'ows:ServiceIdentification')[0], 'ows:Profile').map(text);
    for (const c of formatColumn('2.0.0', 'conformance')) expect(profiles).toContain(c);
  });

  test('SOS 1.0 capabilities advertise exactly the 1.0 rows: responseFormat, result models, limits', async () => {
    const r = await get('service=SOS&request=GetCapabilities&acceptversions=1.0.0');
    expect(r.status).toBe(200);
    const caps = parseXmlDoc(r.body) as Node;
    const rows = seriesFormats('1.0.0');
    expect(parameterValues(caps, 'sos:Capabilities', 'GetObservation', 'responseFormat')).toEqual(responseFormats('1.0.0'));
    expect(parameterValues(caps, 'sos:Capabilities', 'GetObservation', 'resultModel')).toEqual(rows.map((f) => f.resultModel));
    expect(limitNames(r.body)).toEqual(rows.filter((f) => f.xmlBytesPerObservation).map((f) => f.resultModel));
  });

  test.each(SERIES_FORMATS.map((f) => [f.version, f.resultModel ?? f.responseFormat, f] as const))('GetObservation %s serves %s with its content type', async (_v, _name, f) => {
    const q =
      f.version === '2.0.0'
        ? `service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&temporalFilter=${encodeURIComponent(`om:phenomenonTime,${WEEK}`)}&responseFormat=${encodeURIComponent(f.responseFormat)}`
        : `service=SOS&version=1.0.0&request=GetObservation&offering=${OFF}&observedProperty=${encodeURIComponent(PROP)}&eventTime=${encodeURIComponent(WEEK)}` +
          `&responseFormat=${encodeURIComponent(f.responseFormat)}&resultModel=${encodeURIComponent(f.resultModel!)}`;
    const r = await get(q);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(f.contentType);
    // Every format carries the offering's observations: a week of 30-minute values.
    expect(r.body.length).toBeGreaterThan(1000);
    for (const alias of f.aliases ?? []) {
      const a = await get(q.replace(`responseFormat=${encodeURIComponent(f.responseFormat)}`, `responseFormat=${encodeURIComponent(alias)}`));
      expect(a.status).toBe(200);
      expect(a.body).toBe(r.body);
    }
  });

  test('an unknown responseFormat is refused with every accepted spelling of the table', async () => {
    const r = await get(`service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&responseFormat=text/plain`);
    expect(r.status).toBe(400);
    const names = seriesFormats('2.0.0').flatMap((f) => [f.responseFormat, ...(f.aliases ?? [])]);
    expect(r.body).toContain(`supported: ${names.join(', ')}`);
  });
});
