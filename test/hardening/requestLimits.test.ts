import { createTestDb, TestDb } from '../helpers/testStore';
import { expectValidXml } from '../helpers/xmllint';
import { bodyText, createProbeApp, exceptionOf, ProbeApp } from './support';
import { textBody } from '../helpers/app';

// Hostile or oversized request input is refused before any operation runs, with an OGC ExceptionReport.
let db: TestDb;
let probe: ProbeApp;

beforeAll(async () => {
  db = await createTestDb('empty');
  probe = createProbeApp(db.store, { maxXmlBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await probe.close();
  await db.drop();
});

const GETFEATURE_OPEN = '<wfs:GetFeature service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0">';

async function post(body: string) {
  const res = await probe.http.post('/wfs').set('Content-Type', 'application/xml').buffer(true).parse(textBody).send(body);
  return { status: res.status, body: res.body as string, headers: res.headers };
}

function expectException(body: string, code: string, locator?: string): void {
  const ex = exceptionOf(body);
  expect(ex).toBeDefined();
  expect(ex!.code).toBe(code);
  if (locator !== undefined) expect(ex!.locator).toBe(locator);
  expectValidXml(body, 'ows11');
}

describe('XML request bodies', () => {
  test('a body over MAX_XML_BODY_BYTES is refused with 413 and an ExceptionReport', async () => {
    const filler = '<!-- ' + 'x'.repeat(70 * 1024) + ' -->';
    const r = await post(`${GETFEATURE_OPEN}${filler}</wfs:GetFeature>`);
    expect(r.status).toBe(413);
    expectException(r.body, 'InvalidRequest', 'request');
  });

  test('a body just under the limit is parsed (the limit is not off by a lot)', async () => {
    const filler = '<!-- ' + 'x'.repeat(60 * 1024) + ' -->';
    const r = await post(`${GETFEATURE_OPEN}${filler}<wfs:Query typeNames="x"/></wfs:GetFeature>`);
    expect(r.status).toBe(200);
  });

  test('XXE: an external entity reading a local file is refused and nothing of the file comes back', async () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
${GETFEATURE_OPEN}<wfs:Query typeNames="&xxe;"/></wfs:GetFeature>`;
    const r = await post(xxe);
    expect(r.status).toBe(400);
    expectException(r.body, 'OperationParsingFailed', 'request');
    expect(r.body).not.toMatch(/root:|\/bin\/(ba)?sh/);
  });

  test('XXE through a parameter entity and an external DTD is refused', async () => {
    const r = await post(`<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:1/evil.dtd">${GETFEATURE_OPEN}</wfs:GetFeature>`);
    expect(r.status).toBe(400);
    expectException(r.body, 'OperationParsingFailed', 'request');
    const r2 = await post(`<!doctype r [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]>${GETFEATURE_OPEN}</wfs:GetFeature>`);
    expect(r2.status).toBe(400);
    expectException(r2.body, 'OperationParsingFailed', 'request');
  });

  test('billion laughs is refused without expanding anything', async () => {
    const ents = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) ents.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [${ents.join('')}]>${GETFEATURE_OPEN}<wfs:Query typeNames="&lol9;"/></wfs:GetFeature>`;
    const r = await post(bomb);
    expect(r.status).toBe(400);
    expectException(r.body, 'OperationParsingFailed', 'request');
    expect(r.body.length).toBeLessThan(2000);
  });

  test('an entity reference without a declaration is not expanded into anything dangerous', async () => {
    const r = await post(`${GETFEATURE_OPEN}<wfs:Query typeNames="&undeclared;"/></wfs:GetFeature>`);
    expect([200, 400]).toContain(r.status);
    if (r.status === 400) expectException(r.body, 'OperationParsingFailed');
  });

  test('nesting deeper than 64 levels is refused; 60 levels parse', async () => {
    const nest = (n: number) => `${GETFEATURE_OPEN}${'<fes:And>'.repeat(n)}${'</fes:And>'.repeat(n)}</wfs:GetFeature>`;
    const deep = await post(nest(100));
    expect(deep.status).toBe(400);
    expectException(deep.body, 'OperationParsingFailed', 'request');
    expect(exceptionOf(deep.body)!.text).toMatch(/nesting deeper than 64/);
    const ok = await post(nest(60));
    expect(ok.status).toBe(200);
  });

  test('very deep nesting (100k levels) is refused without a stack overflow or a 500', async () => {
    const n = 100_000;
    const body = `${GETFEATURE_OPEN}${'<a>'.repeat(n)}${'</a>'.repeat(n)}</wfs:GetFeature>`;
    const p = createProbeApp(db.store, { maxXmlBodyBytes: 2 * 1024 * 1024 });
    const res = await p.http.post('/wfs').set('Content-Type', 'application/xml').send(body);
    expect(res.status).toBe(400);
    expectException(bodyText(res), 'OperationParsingFailed', 'request');
  });

  test('malformed XML is OperationParsingFailed and a non-XML body InvalidRequest', async () => {
    const bad = await post(`${GETFEATURE_OPEN}<wfs:Query></wfs:GetFeature>`);
    expect(bad.status).toBe(400);
    expectException(bad.body, 'OperationParsingFailed', 'request');
    const notXml = await post('{"request":"GetFeature"}');
    expect(notXml.status).toBe(400);
    expectException(notXml.body, 'InvalidRequest', 'request');
  });
});

describe('KVP limits', () => {
  test('a value over KVP_MAX_VALUE_LENGTH names its parameter as locator', async () => {
    const res = await probe.http.get('/wfs').query({ service: 'WFS', request: 'GetFeature', typeNames: 'x'.repeat(9000) });
    expect(res.status).toBe(400);
    expectException(bodyText(res), 'InvalidParameterValue', 'typenames');
  });

  test('the limit applies before dispatch: even for an unknown operation the locator is the long parameter', async () => {
    const res = await probe.http.get('/wfs').query({ service: 'WFS', request: 'NoSuchThing', outputFormat: 'y'.repeat(9000) });
    expect(res.status).toBe(400);
    expectException(bodyText(res), 'InvalidParameterValue', 'outputformat');
  });

  // Through a real server (listen()): supertest's own server keeps Node's 16 KiB header limit.
  test('FILTER may be long (up to the whole query limit)', async () => {
    const base = await probe.listen();
    const filter = `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">${'<!-- pad -->'.repeat(1500)}</fes:Filter>`;
    expect(encodeURIComponent(filter).length).toBeGreaterThan(30_000); // over Node's default 16 KiB header limit
    const res = await fetch(`${base}/wfs?service=WFS&request=GetFeature&mode=count&filter=${encodeURIComponent(filter)}`);
    expect(res.status).toBe(200);
  });

  test('a query string over 64 KiB is refused with 414', async () => {
    const base = await probe.listen();
    const res = await fetch(`${base}/wfs?service=WFS&request=GetFeature&filter=${'z'.repeat(70 * 1024)}`);
    expect(res.status).toBe(414);
    expectException(await res.text(), 'InvalidRequest', 'request');
  });

  test('more than 100 parameters is InvalidRequest', async () => {
    const q: Record<string, string> = { service: 'WFS', request: 'GetFeature' };
    for (let i = 0; i < 120; i++) q[`p${i}`] = '1';
    const res = await probe.http.get('/wfs').query(q);
    expect(res.status).toBe(400);
    expectException(bodyText(res), 'InvalidRequest', 'request');
  });

  test('an over-long parameter name is InvalidRequest', async () => {
    const res = await probe.http.get(`/wfs?service=WFS&request=GetFeature&${'n'.repeat(300)}=1`);
    expect(res.status).toBe(400);
    expectException(bodyText(res), 'InvalidRequest', 'request');
  });
});
