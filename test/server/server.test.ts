import { createTestApp, TestApp } from '../helpers/app';
import { expectValidXml } from '../helpers/xmllint';

describe('server basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /healthz and /readyz', async () => {
    await t.http.get('/healthz').expect(200, { status: 'ok' });
    const r = await t.http.get('/readyz').expect(200);
    expect(r.body.status).toBe('ready');
  });

  it('reports not ready when migrations are missing', async () => {
    await t.db.store.query('DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)');
    try {
      const r = await t.http.get('/readyz').expect(503);
      expect(r.body.reason).toMatch(/not migrated/);
    } finally {
      const { migrate } = await import('../../src/data/migrate');
      // Re-record the migration (its statements are idempotent).
      await migrate(t.db.store);
    }
    await t.http.get('/readyz').expect(200);
  });

  it('lists the services and links the capabilities documents on /', async () => {
    const r = await t.http.get('/').set('Host', 'example.org').expect(200);
    const html = r.text.replace(/&amp;|&#38;/g, '&');
    expect(html).toContain('http://example.org/wfs?SERVICE=WFS&REQUEST=GetCapabilities');
    expect(html).toContain('http://example.org/sos?SERVICE=SOS&REQUEST=GetCapabilities');
  });

  it.each([
    ['/ows?request=GetCapabilities', 'MissingParameterValue', 'service'],
    ['/ows?service=ASDF&request=GetCapabilities', 'InvalidParameterValue', 'service'],
    ['/sos?service=WFS&request=GetCapabilities', 'InvalidParameterValue', 'service'],
    ['/wfs?service=WFS', 'MissingParameterValue', 'request'],
    ['/wfs?service=WFS&request=Frobnicate', 'OperationNotSupported', 'request'],
  ])('GET %s → 400 %s (locator %s), a valid OWS 1.1 ExceptionReport', async (url, code, locator) => {
    const r = await t.http.get(url).expect(400);
    expect(r.headers['content-type']).toMatch(/^application\/xml/);
    expect(r.text).toContain('<ows:ExceptionReport');
    expect(r.text).toContain(`exceptionCode="${code}"`);
    expect(r.text).toContain(`locator="${locator}"`);
    expectValidXml(r.text, 'ows11');
  });

  it.each([
    ['<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><GetCapabilities service="WFS">&e;</GetCapabilities>', 'OperationParsingFailed'],
    ['<GetCapabilities service="WFS"', 'OperationParsingFailed'],
    ['not xml at all', 'InvalidRequest'],
  ])('POST a bad body → 400 %#', async (body, code) => {
    const r = await t.http.post('/wfs').set('Content-Type', 'application/xml').send(body).expect(400);
    expect(r.text).toContain(`exceptionCode="${code}"`);
    expect(r.text).not.toContain('root:');
    expectValidXml(r.text, 'ows11');
  });
});
