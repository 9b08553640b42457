import { createTestApp, TestApp, textBody } from '../helpers/app';
import { expectValidXml } from '../helpers/xmllint';

/**
 * SQL injection through every WFS and SOS parameter and through filters, GET and POST. Afterwards the
 * database must be exactly as before (same tables, same row counts, same sums), no request may run
 * an injected pg_sleep, and no SQL error text may reach a client.
 */
let t: TestApp;
let wfsTypes: string[];
let offering: string;
let procedure: string;
let property: string;
let foi: string;

const PAYLOADS = [
  "' OR '1'='1",
  "' OR 1=1--",
  "'; DROP TABLE observation;--",
  "1); DELETE FROM station;--",
  "x'); UPDATE dataset SET obs_count=0;--",
  "'; SELECT pg_sleep(10);--",
  "1 AND 1=(SELECT 1 FROM pg_sleep(10))",
  "' UNION SELECT usename, passwd FROM pg_shadow--",
  '" OR ""="',
  "\\'; TRUNCATE station CASCADE;--",
  "$1",
  "$$; DROP TABLE dataset; $$",
  "E'\\x27'",
  "1;COMMIT;DROP TABLE sensor",
  "code) OR (1=1",
  "geom\" FROM station; DROP TABLE network;--",
  "reef:Station' --",
  "%27%20OR%201%3D1--",
  "pg_sleep(10)",
  "(SELECT count(*) FROM pg_stat_activity)",
  "2020-01-01T00:00:00Z'; DROP TABLE observation;--",
  "1e999",
];

/** Any database, driver or runtime detail leaking into a response. */
const LEAK = /syntax error|ERROR:|relation "|column "|SQLSTATE|\b(42601|42P01|42703|22P02|22007|22008|57014)\b|unterminated|invalid input syntax|stack|TypeError|ReferenceError|at [A-Za-z.]+ \(/i;

interface Snapshot {
  tables: string;
  counts: Record<string, number>;
  sums: string;
}

async function snapshot(): Promise<Snapshot> {
  const tables = await t.db.store.query<{ t: string }>(`SELECT string_agg(table_name, ',' ORDER BY table_name) AS t FROM information_schema.tables WHERE table_schema = 'public'`);
  const counts: Record<string, number> = {};
  for (const name of ['network', 'organisation', 'station', 'observed_property', 'sensor', 'dataset', 'observation', 'import_run']) {
    const r = await t.db.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`);
    counts[name] = r.rows[0].n;
  }
  const sums = await t.db.store.query<{ s: string }>(
    `SELECT (SELECT sum(value)::text FROM observation) || '/' || (SELECT sum(obs_count)::text FROM dataset) || '/' || (SELECT string_agg(code, ',' ORDER BY code) FROM station) AS s`,
  );
  return { tables: tables.rows[0].t, counts, sums: sums.rows[0].s };
}

let before: Snapshot;
let requests = 0;
let validatedErrors = 0;
const seen = new Set<string>();

beforeAll(async () => {
  t = await createTestApp();
  before = await snapshot();
  const wcap = (await get('/wfs?service=WFS&request=GetCapabilities')).body;
  wfsTypes = [...wcap.matchAll(/<wfs:Name>([^<]+)<\/wfs:Name>/g)].map((m) => m[1]);
  const scap = (await get('/sos?service=SOS&request=GetCapabilities&acceptversions=2.0.0')).body;
  offering = /<swes:identifier>([^<]+)</.exec(scap)![1];
  procedure = /<swes:procedure>([^<]+)</.exec(scap)![1];
  property = /<swes:observableProperty>([^<]+)</.exec(scap)![1];
  foi = /<ows:Parameter name="featureOfInterest">\s*<ows:AllowedValues>\s*<ows:Value>([^<]+)</.exec(scap)?.[1] ?? '';
  expect(foi).not.toBe('');
});
afterAll(async () => {
  await t?.close();
});

async function send(method: 'GET' | 'POST', url: string, xml?: string): Promise<{ status: number; body: string; ms: number }> {
  const t0 = Date.now();
  const req = method === 'GET' ? t.http.get(url) : t.http.post(url).set('Content-Type', 'application/xml').send(xml);
  const r = await req.buffer(true).parse(textBody);
  requests++;
  return { status: r.status, body: r.body as string, ms: Date.now() - t0 };
}
const get = (url: string) => send('GET', url);

/** The common assertions of every hostile request. */
function judge(what: string, r: { status: number; body: string; ms: number }): void {
  if (r.status >= 500) throw new Error(`${r.status} for ${what}\n${r.body.slice(0, 500)}`);
  // URLs (next links, schema locations) are left out: a port number may look like an SQLSTATE.
  const text = r.body.replace(/https?:\/\/[^\s"<]+/g, '');
  if (LEAK.test(text)) throw new Error(`leak for ${what}: ${LEAK.exec(text)![0]}\n${r.body.slice(0, 500)}`);
  // An injected pg_sleep(10) that ran would take at least 10 s; legitimate requests stay far below even on a loaded CI box.
  if (r.ms > 8000) throw new Error(`${what} took ${r.ms} ms`);
  if (r.status >= 400) {
    expect(r.body).toContain('<ows:ExceptionReport');
    const key = /exceptionCode="([^"]+)" locator="([^"]*)"/.exec(r.body)?.slice(1).join('/') ?? r.body;
    if (!seen.has(key)) {
      seen.add(key);
      expectValidXml(r.body, 'ows11');
      validatedErrors++;
    }
  }
}

const q = (params: Record<string, string>) => Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');

/** Each parameter of a valid base request replaced in turn by each payload (and added when absent). */
async function everyParameter(path: string, base: Record<string, string>, names: string[]): Promise<void> {
  for (const name of names) {
    for (const p of PAYLOADS) {
      const params = { ...base, [name]: p };
      const url = `${path}?${q(params)}`;
      judge(`GET ${url}`, await get(url));
    }
  }
}

const WFS_PARAMS = ['typeNames', 'typeName', 'count', 'maxFeatures', 'startIndex', 'srsName', 'bbox', 'resourceId', 'featureId', 'propertyName', 'sortBy', 'outputFormat', 'resultType', 'namespaces', 'storedQuery_id', 'id', 'valueReference', 'resolve', 'version', 'filter'];

describe('WFS', () => {
  test('GetFeature: payloads in every parameter, for every feature type', async () => {
    for (const type of wfsTypes) {
      await everyParameter('/wfs', { service: 'WFS', version: '2.0.0', request: 'GetFeature', typeNames: type, count: '3' }, WFS_PARAMS);
    }
  });

  test('GetPropertyValue, DescribeFeatureType, stored queries and GetCapabilities parameters', async () => {
    await everyParameter('/wfs', { service: 'WFS', version: '2.0.0', request: 'GetPropertyValue', typeNames: wfsTypes[0], valueReference: '@gml:id', count: '3' }, ['valueReference', 'typeNames', 'filter', 'sortBy', 'resourceId']);
    await everyParameter('/wfs', { service: 'WFS', version: '2.0.0', request: 'DescribeFeatureType' }, ['typeName', 'typeNames', 'outputFormat', 'namespaces']);
    await everyParameter('/wfs', { service: 'WFS', version: '2.0.0', request: 'GetFeature', storedQuery_id: 'urn:ogc:def:query:OGC-WFS::GetFeatureById' }, ['id']);
    await everyParameter('/wfs', { service: 'WFS', request: 'GetCapabilities' }, ['acceptVersions', 'sections', 'updateSequence', 'acceptFormats']);
    await everyParameter('/wfs', { service: 'WFS', version: '2.0.0', request: 'DescribeStoredQueries' }, ['storedQuery_id']);
  });

  test('FES filters: payloads as literals, value references, LIKE patterns, ids and coordinates (KVP and POST)', async () => {
    const fes = 'xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"';
    const filters = (p: string, prop: string) => {
      const e = p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
      return [
        `<fes:Filter ${fes}><fes:PropertyIsEqualTo><fes:ValueReference>${prop}</fes:ValueReference><fes:Literal>${e}</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>`,
        `<fes:Filter ${fes}><fes:PropertyIsEqualTo><fes:ValueReference>${e}</fes:ValueReference><fes:Literal>1</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>`,
        `<fes:Filter ${fes}><fes:PropertyIsLike wildCard="*" singleChar="?" escapeChar="\\"><fes:ValueReference>${prop}</fes:ValueReference><fes:Literal>${e}*</fes:Literal></fes:PropertyIsLike></fes:Filter>`,
        `<fes:Filter ${fes}><fes:PropertyIsGreaterThan><fes:ValueReference>${prop}</fes:ValueReference><fes:Literal>${e}</fes:Literal></fes:PropertyIsGreaterThan></fes:Filter>`,
        `<fes:Filter ${fes}><fes:ResourceId rid="${e}"/></fes:Filter>`,
        `<fes:Filter ${fes}><fes:BBOX><gml:Envelope srsName="${e}"><gml:lowerCorner>${e} 0</gml:lowerCorner><gml:upperCorner>1 1</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>`,
        `<fes:Filter ${fes}><fes:Or><fes:PropertyIsNull><fes:ValueReference>${e}</fes:ValueReference></fes:PropertyIsNull><fes:Not><fes:PropertyIsBetween><fes:ValueReference>${prop}</fes:ValueReference><fes:LowerBoundary><fes:Literal>${e}</fes:Literal></fes:LowerBoundary><fes:UpperBoundary><fes:Literal>1</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween></fes:Not></fes:Or></fes:Filter>`,
      ];
    };
    const props: Record<string, string[]> = { 'reef:Station': ['code', 'name', 'depth', 'country'], 'reef:Dataset': ['code', 'timeStart'], 'reef:Observation': ['time', 'value'] };
    for (const type of wfsTypes) {
      for (const prop of props[type] ?? ['code']) {
        for (const p of PAYLOADS) {
          for (const f of filters(p, prop)) {
            judge(`GET filter ${f}`, await get(`/wfs?${q({ service: 'WFS', version: '2.0.0', request: 'GetFeature', typeNames: type, count: '2', filter: f })}`));
          }
          const post = `<wfs:GetFeature service="WFS" version="2.0.0" count="2" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:reef="http://reefgate.org/reef"><wfs:Query typeNames="${type}">${filters(p, prop)[0]}</wfs:Query></wfs:GetFeature>`;
          judge(`POST ${post}`, await send('POST', '/wfs', post));
        }
      }
    }
  });
});

describe('SOS', () => {
  test('GetObservation: payloads in every parameter', async () => {
    await everyParameter(
      '/sos',
      { service: 'SOS', version: '2.0.0', request: 'GetObservation', offering, observedProperty: property, temporalFilter: 'om:phenomenonTime,2024-01-01T00:00:00Z/2024-01-02T00:00:00Z' },
      ['offering', 'observedProperty', 'procedure', 'featureOfInterest', 'temporalFilter', 'spatialFilter', 'responseFormat', 'namespaces', 'downsample', 'version'],
    );
  });

  test('DescribeSensor, GetFeatureOfInterest, GetObservationById, GetDataAvailability, GetCapabilities', async () => {
    await everyParameter('/sos', { service: 'SOS', version: '2.0.0', request: 'DescribeSensor', procedure, procedureDescriptionFormat: 'http://www.opengis.net/sensorml/2.0' }, ['procedure', 'procedureDescriptionFormat']);
    await everyParameter('/sos', { service: 'SOS', version: '2.0.0', request: 'GetFeatureOfInterest', featureOfInterest: foi }, ['featureOfInterest', 'observedProperty', 'procedure', 'spatialFilter', 'namespaces']);
    await everyParameter('/sos', { service: 'SOS', version: '2.0.0', request: 'GetObservationById', observation: 'x' }, ['observation']);
    await everyParameter('/sos', { service: 'SOS', version: '2.0.0', request: 'GetDataAvailability' }, ['procedure', 'observedProperty', 'featureOfInterest', 'offering']);
    await everyParameter('/sos', { service: 'SOS', request: 'GetCapabilities' }, ['acceptVersions', 'sections', 'updateSequence']);
    await everyParameter('/sos', { service: 'SOS', version: '1.0.0', request: 'GetObservation', offering, observedProperty: property }, ['offering', 'observedProperty', 'eventTime', 'procedure', 'responseFormat']);
  });

  test('GetObservation XML (POST): payloads in identifiers and temporal filter values', async () => {
    for (const p of PAYLOADS) {
      const e = p.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      const docs = [
        `<sos:GetObservation service="SOS" version="2.0.0" xmlns:sos="http://www.opengis.net/sos/2.0"><sos:offering>${e}</sos:offering></sos:GetObservation>`,
        `<sos:GetObservation service="SOS" version="2.0.0" xmlns:sos="http://www.opengis.net/sos/2.0"><sos:offering>${offering}</sos:offering><sos:observedProperty>${e}</sos:observedProperty><sos:procedure>${e}</sos:procedure><sos:featureOfInterest>${e}</sos:featureOfInterest></sos:GetObservation>`,
        `<sos:GetObservation service="SOS" version="2.0.0" xmlns:sos="http://www.opengis.net/sos/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><sos:offering>${offering}</sos:offering><sos:temporalFilter><fes:During><fes:ValueReference>${e}</fes:ValueReference><gml:TimePeriod gml:id="t"><gml:beginPosition>${e}</gml:beginPosition><gml:endPosition>2024-01-02T00:00:00Z</gml:endPosition></gml:TimePeriod></fes:During></sos:temporalFilter></sos:GetObservation>`,
      ];
      for (const d of docs) judge(`POST ${d}`, await send('POST', '/sos', d));
    }
  });
});

// Declared last, so jest runs it after every describe above.
test('after every payload the database is intact and the service still answers', async () => {
  expect(requests).toBeGreaterThan(1000);
  expect(validatedErrors).toBeGreaterThan(5);
  const after = await snapshot();
  expect(after).toEqual(before);
  expect(before.counts.observation).toBeGreaterThan(100_000);
  const ok = await get(`/wfs?${q({ service: 'WFS', version: '2.0.0', request: 'GetFeature', typeNames: wfsTypes[0], count: '1' })}`);
  expect(ok.status).toBe(200);
});
