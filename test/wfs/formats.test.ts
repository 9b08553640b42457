import { createTestApp, TestApp, textBody } from '../helpers/app';
import { outputFormats, schemaFormats } from '../../src/wfs/formats';
import { parse } from './helpers';

// The output format table (src/wfs/formats.ts) is the only list of WFS formats: every capabilities
// document advertises what it says for its version, and every advertised name is served.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const get = (q: string) => t.http.get(`/wfs?${q}`).buffer(true).parse(textBody);

type Node = Record<string, any>;
const text = (v: unknown): string => (typeof v === 'object' && v !== null ? String((v as Node)['#text']) : String(v));

/** The ows:Value list of one parameter of one operation (OWS 1.1 AllowedValues or OWS 1.0 plain values). */
function parameterValues(caps: Node, operation: string, parameter: string): string[] {
  const op = (caps['ows:OperationsMetadata']['ows:Operation'] as Node[]).find((o) => o['@name'] === operation)!;
  const p = (op['ows:Parameter'] as Node[]).find((x) => x['@name'] === parameter)!;
  return ((p['ows:AllowedValues'] ?? p)['ows:Value'] as unknown[]).map(text);
}

describe('WFS output format table', () => {
  test.each(['2.0.0', '1.1.0'] as const)('WFS %s capabilities advertise exactly the table: GetFeature, DescribeFeatureType, every FeatureType', async (v) => {
    const r = await get(`service=WFS&request=GetCapabilities&version=${v}`);
    expect(r.status).toBe(200);
    const caps = parse(r.body)['wfs:WFS_Capabilities'];
    expect(parameterValues(caps, 'GetFeature', 'outputFormat')).toEqual(outputFormats(v));
    expect(parameterValues(caps, 'DescribeFeatureType', 'outputFormat')).toEqual(schemaFormats(v));
    const types = caps['wfs:FeatureTypeList']['wfs:FeatureType'] as Node[];
    expect(types.length).toBeGreaterThan(0);
    for (const ft of types) expect([ft['wfs:OutputFormats']['wfs:Format']].flat().map(text)).toEqual(outputFormats(v));
  });

  test.each((['2.0.0', '1.1.0', '1.0.0'] as const).flatMap((v) => outputFormats(v).map((f) => [v, f] as const)))('WFS %s GetFeature serves its advertised %s', async (v, f) => {
    const count = v === '2.0.0' ? 'COUNT' : 'MAXFEATURES';
    const r = await get(`service=WFS&request=GetFeature&version=${v}&typename=reef:Station&${count}=2&outputformat=${encodeURIComponent(f)}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('NCL_');
  });

  test.each(['2.0.0', '1.1.0', '1.0.0'] as const)('WFS %s answers in the first advertised format when none is asked', async (v) => {
    const count = v === '2.0.0' ? 'COUNT' : 'MAXFEATURES';
    const q = `service=WFS&request=GetFeature&version=${v}&typename=reef:Station&${count}=2`;
    const plain = await get(q);
    const first = await get(`${q}&outputformat=${encodeURIComponent(outputFormats(v)[0])}`);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe(first.headers['content-type']);
  });

  test.each((['2.0.0', '1.1.0'] as const).flatMap((v) => schemaFormats(v).map((f) => [v, f] as const)))('WFS %s DescribeFeatureType serves its advertised %s', async (v, f) => {
    const r = await get(`service=WFS&request=DescribeFeatureType&version=${v}&typename=reef:Station&outputformat=${encodeURIComponent(f)}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<xs:complexType name="StationType">');
  });
});
