/**
 * The API's paths dispatched from the route table in one match (src/ogcapi/dispatch.ts) instead of a
 * GET and a 405 Express layer per row: every row reachable by its path, HEAD as GET without a body,
 * one trailing slash allowed, paths case-sensitive, path parameters percent-decoded (400 for a bad
 * escape), 405 with Allow on a known path, a JSON 404 elsewhere.
 */
import { matchPath, pathTable } from '../../src/ogcapi/dispatch';
import { loadConfig } from '../../src/config/config';
import { ogcapiRoutes } from '../../src/ogcapi/routes';
import { OwsError } from '../../src/ows/errors';
import { createTestApp, TestApp } from '../helpers/app';
import { get } from './helpers';

const table = pathTable(ogcapiRoutes(loadConfig({ LOG_LEVEL: 'silent' })));
const match = (path: string) => {
  const m = matchPath(table, path);
  return m && { id: (m.route as { id: string }).id, params: m.params };
};

describe('matching a path against the route table', () => {
  it('finds every row by its own path, with its parameters', () => {
    for (const route of ogcapiRoutes(loadConfig({ LOG_LEVEL: 'silent' }))) {
      const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => `v-${name}`) || '/';
      const params = Object.fromEntries([...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, `v-${name}`]));
      expect(match(path)).toEqual({ id: route.id, params });
    }
  });

  it('takes one trailing slash, as Express did; not two, not an empty segment', () => {
    expect(match('/')?.id).toBe('landing');
    expect(match('//')?.id).toBe('landing');
    expect(match('/collections/')?.id).toBe('collections');
    expect(match('/collections/stations/items/')).toEqual({ id: 'items', params: { collectionId: 'stations' } });
    expect(match('/collections//')).toBeUndefined();
    expect(match('/collections/stations/items//')).toBeUndefined();
    expect(match('/collections//items')).toBeUndefined();
    expect(match('///')).toBeUndefined();
  });

  it('is case-sensitive and matches literal segments as sent (not decoded)', () => {
    expect(match('/Collections')).toBeUndefined();
    expect(match('/collections/stations/Items')).toBeUndefined();
    expect(match('/%63ollections')).toBeUndefined();
    expect(match('/collections/stations/items/x/y')).toBeUndefined();
    expect(match('/conformance/x')).toBeUndefined();
  });

  it('decodes parameters once (an escaped slash stays in the value); a bad escape is a 400', () => {
    expect(match('/collections/st%61tions/items/A%2FB')).toEqual({ id: 'item', params: { collectionId: 'stations', featureId: 'A/B' } });
    expect(match('/collections/stations/items/%25E9')?.params.featureId).toBe('%E9');
    expect(match('/collections/stations/locations/a%20b/')?.params).toEqual({ collectionId: 'stations', locationId: 'a b' });
    for (const bad of ['/collections/stations/items/%E0%A4%A', '/collections/%ZZ', '/collections/stations/items/%']) {
      let err: unknown;
      try {
        match(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OwsError);
      expect(err).toMatchObject({ code: 'InvalidParameterValue', status: 400 });
    }
  });
});

describe('the API dispatched through the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers HEAD as GET, without a body', async () => {
    const g = await get(t, '/ogcapi/collections/stations/items?limit=2&f=json', { 'Accept-Encoding': 'identity' });
    const h = await t.http.head('/ogcapi/collections/stations/items?limit=2&f=json').set('Host', 'rg.test').set('Accept-Encoding', 'identity');
    expect(h.status).toBe(200);
    expect(h.headers['content-type']).toBe(g.headers['content-type']);
    expect(h.headers.etag).toBe(g.headers.etag);
    expect(h.text ?? '').toBe('');
    expect((await t.http.head('/ogcapi/nothing')).status).toBe(404);
  });

  it('answers a trailing slash as the path without it, and a path in another case with a JSON 404', async () => {
    const plain = await get(t, '/ogcapi/collections/stations/items?limit=2&f=json');
    const slash = await get(t, '/ogcapi/collections/stations/items/?limit=2&f=json');
    expect(slash.status).toBe(200);
    expect(slash.json.features).toEqual(plain.json.features);
    for (const path of ['/ogcapi/Collections', '/ogcapi/collections/stations/ITEMS', '/ogcapi/collections/stations/items//', '/ogcapi/collections/stations/items/NCL_AMEDEE/x']) {
      const r = await get(t, path);
      expect([path, r.status, r.json?.code]).toEqual([path, 404, 'NotFound']);
    }
  });

  it('decodes the feature id of the path, and answers a bad escape with a JSON 400', async () => {
    const r = await get(t, '/ogcapi/collections/stations/items/NCL%5FAMEDEE?f=json');
    expect(r.status).toBe(200);
    expect(r.json.id).toBe('NCL_AMEDEE');
    const bad = await get(t, '/ogcapi/collections/stations/items/%E0%A4%A');
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('InvalidParameterValue');
    expect(bad.headers['cache-control']).toBe('no-store');
  });

  it('answers another method on any known path with 405 and Allow, and on an unknown path with 404', async () => {
    for (const path of ['/ogcapi', '/ogcapi/collections/stations/items', '/ogcapi/collections/stations/items/NCL_AMEDEE', '/ogcapi/collections/insitu/locations/NCL_AMEDEE']) {
      const r = await t.http.delete(path);
      expect([path, r.status, r.headers.allow, JSON.parse(r.text).code]).toEqual([path, 405, 'GET, HEAD', 'OperationNotSupported']);
    }
    const put = await t.http.put('/ogcapi/collections/').send('x');
    expect([put.status, put.headers.allow]).toEqual([405, 'GET, HEAD']);
    const other = await t.http.post('/ogcapi/collections/stations/nothing').send('x');
    expect(other.status).toBe(404);
    expect(JSON.parse(other.text).code).toBe('NotFound');
  });
});
