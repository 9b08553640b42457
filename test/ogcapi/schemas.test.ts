import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ogcSchemas } from '../../src/ogcapi/ogcSchemas';
import { createTestApp, TestApp } from '../helpers/app';
import { get, localPath } from './helpers';

/**
 * Real JSON responses validate against the schema the OpenAPI document names for them: the OGC API –
 * Features 1.0 schemas of schemas/ogcapi-features (the document's components), found through the
 * document's own path, status and media type, so the document and the answers are checked together.
 */

let t: TestApp;
let doc: any;
let ajv: Ajv;
beforeAll(async () => {
  t = await createTestApp();
  doc = (await get(t, '/ogcapi/api')).json;
  // OpenAPI 3.0 schema objects: `nullable` is ajv's own keyword; `example` is an annotation.
  ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  addFormats(ajv);
  ajv.addVocabulary(['example', 'components']);
  ajv.addSchema({ $id: 'urn:reefgate:ogcapi', components: doc.components });
});
afterAll(async () => {
  await t?.close();
});

const enc = encodeURIComponent;

/** The document's path (concrete before templated, as OpenAPI matches) for a request path under /ogcapi. */
function docPath(urlPath: string): string {
  const rel = urlPath.replace(/^\/ogcapi/, '') || '/';
  const paths = Object.keys(doc.paths);
  const concrete = paths.find((p) => p === rel);
  if (concrete) return concrete;
  const templated = paths.find((p) => new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(rel));
  if (!templated) throw new Error(`No path of the document matches ${rel}`);
  return templated;
}

/** The validator of the schema the document gives for this answer (path, status, media type). */
function validatorFor(url: string, status: number, contentType: string): { name: string; validate: ValidateFunction } {
  const op = doc.paths[docPath(new URL(url, 'http://rg.test').pathname)].get;
  let response = op.responses[String(status)];
  if (!response) throw new Error(`${url}: status ${status} is not in the document`);
  if (response.$ref) response = doc.components.responses[response.$ref.split('/').pop()];
  const media = contentType.replace(/;\s*charset=[^;]*$/i, '');
  const ref: string | undefined = response.content?.[media]?.schema?.$ref;
  if (!ref) throw new Error(`${url}: no schema for ${status} ${media} in the document`);
  return { name: ref.split('/').pop()!, validate: ajv.getSchema(`urn:reefgate:ogcapi${ref}`)! };
}

/** GETs a URL and expects its JSON to validate against the schema the document names; returns the JSON. */
async function expectValid(url: string, expectedSchema: string, status = 200): Promise<any> {
  const r = await get(t, url);
  expect({ url, status: r.status }).toEqual({ url, status });
  const { name, validate } = validatorFor(url, r.status, r.headers['content-type']);
  expect({ url, name }).toEqual({ url, name: expectedSchema });
  const ok = validate(r.json);
  expect({ url, errors: ok ? null : validate.errors }).toEqual({ url, errors: null });
  return r.json;
}

/** Checks the members the Part 1 schemas give on their own (numberMatched, numberReturned, timeStamp). */
function expectMembers(page: any): void {
  for (const m of ['numberMatched', 'numberReturned', 'timeStamp']) {
    if (page[m] === undefined) continue;
    const v = ajv.getSchema(`urn:reefgate:ogcapi#/components/schemas/${m}`)!;
    expect({ m, ok: v(page[m]) }).toEqual({ m, ok: true });
  }
  expect(page.numberReturned).toBe(page.features.length);
}

describe('JSON answers validate against the OGC API – Features schemas the OpenAPI document references', () => {
  it('uses the OGC files as the document\'s component schemas (one source)', () => {
    for (const [name, schema] of Object.entries(ogcSchemas())) expect(doc.components.schemas[name]).toEqual(schema);
    expect(Object.keys(ogcSchemas())).toEqual(expect.arrayContaining(['landingPage', 'confClasses', 'collections', 'collection', 'extent', 'link', 'exception', 'featureCollectionGeoJSON', 'featureGeoJSON', 'numberMatched', 'numberReturned', 'timeStamp']));
  });

  it('landing page, conformance, collections, each collection, each queryables document, the API document', async () => {
    await expectValid('/ogcapi', 'landingPage');
    await expectValid('/ogcapi/?f=json', 'landingPage');
    await expectValid('/ogcapi/conformance', 'confClasses');
    const cs = await expectValid('/ogcapi/collections', 'collections');
    // insitu: the EDR collection, also a Features one (test/edr).
    expect(cs.collections).toHaveLength(4);
    for (const c of cs.collections) {
      await expectValid(`/ogcapi/collections/${c.id}`, 'collection');
      await expectValid(`/ogcapi/collections/${c.id}/queryables`, 'queryables');
    }
    await expectValid('/ogcapi/api', 'openapiDocument');
  });

  it('items pages of each collection, with and without filters, and the pages their next links lead to', async () => {
    const urls = [
      '/ogcapi/collections/stations/items',
      '/ogcapi/collections/stations/items?limit=7&offset=21',
      '/ogcapi/collections/stations/items?bbox=163,-23,169,-19&country=NCL',
      `/ogcapi/collections/stations/items?crs=${enc('http://www.opengis.net/def/crs/EPSG/0/3857')}&sortby=-stationId`,
      '/ogcapi/collections/datasets/items?limit=100',
      '/ogcapi/collections/datasets/items?datetime=2024-02-01T00:00:00Z/..&properties=datasetId,stationId',
      `/ogcapi/collections/datasets/items?filter=${enc("stationId LIKE 'NCL%'")}`,
      '/ogcapi/collections/observations/items?limit=50',
      '/ogcapi/collections/observations/items?limit=50&offset=100000',
      '/ogcapi/collections/observations/items?bbox=166,-23,167,-22&datetime=2024-03-01T00:00:00Z/2024-03-02T00:00:00Z&limit=20',
      `/ogcapi/collections/observations/items?filter=${enc('qc = 1 AND S_INTERSECTS(geom, BBOX(166,-23,167,-22))')}&limit=20`,
      '/ogcapi/collections/observations/items?qc=99',
    ];
    let withNumberMatched = 0;
    let keysetPages = 0;
    for (const url of urls) {
      const page = await expectValid(url, 'featureCollectionGeoJSON');
      expectMembers(page);
      if (page.numberMatched !== undefined) withNumberMatched++;
      const next = page.links.find((l: any) => l.rel === 'next');
      if (next) expectMembers(await expectValid(localPath(next.href), 'featureCollectionGeoJSON'));
      if (next?.href.includes('after=')) keysetPages++;
    }
    expect(withNumberMatched).toBeGreaterThan(0);
    expect(keysetPages).toBeGreaterThan(0);
    // The empty page too.
    expect((await expectValid('/ogcapi/collections/observations/items?qc=99', 'featureCollectionGeoJSON')).features).toEqual([]);
  });

  it('a single item of each collection', async () => {
    for (const c of ['stations', 'datasets', 'observations']) {
      const first = (await get(t, `/ogcapi/collections/${c}/items?limit=1`)).json.features[0];
      const f = await expectValid(`/ogcapi/collections/${c}/items/${enc(first.id)}`, 'featureGeoJSON');
      expect(f.id).toBe(first.id);
      await expectValid(`/ogcapi/collections/${c}/items/${enc(first.id)}?crs=${enc('http://www.opengis.net/def/crs/EPSG/0/4326')}`, 'featureGeoJSON');
    }
  });

  it('errors: 400, 404 and 406 are the exception schema', async () => {
    await expectValid('/ogcapi/collections/stations/items?limit=0', 'exception', 400);
    await expectValid('/ogcapi/collections/stations/items?nope=1', 'exception', 400);
    await expectValid(`/ogcapi/collections/observations/items?filter=${enc('qc = = 1')}`, 'exception', 400);
    await expectValid('/ogcapi/collections/nowhere', 'exception', 404);
    await expectValid('/ogcapi/collections/stations/items/NOPE', 'exception', 404);
    await expectValid('/ogcapi/collections/stations?f=xyz', 'exception', 406);
    await expectValid('/ogcapi/api?f=csv', 'exception', 406);
  });

  it('the validators refuse what the schemas exclude (so the checks above can fail)', async () => {
    const landing = (await get(t, '/ogcapi')).json;
    const v = validatorFor('/ogcapi', 200, 'application/json').validate;
    expect(v({ ...landing, links: undefined })).toBe(false);
    expect(v({ ...landing, links: [{ rel: 'self' }] })).toBe(false);
    const page = (await get(t, '/ogcapi/collections/stations/items?limit=2')).json;
    const items = validatorFor('/ogcapi/collections/stations/items', 200, 'application/geo+json').validate;
    expect(items({ ...page, numberReturned: -1 })).toBe(false);
    expect(items({ ...page, timeStamp: 'yesterday' })).toBe(false);
    expect(items({ ...page, features: [{ ...page.features[0], type: 'Thing' }] })).toBe(false);
    expect(items({ ...page, features: [{ ...page.features[0], geometry: { type: 'Point', coordinates: [1] } }] })).toBe(false);
    const coll = validatorFor('/ogcapi/collections/stations', 200, 'application/json').validate;
    const c = (await get(t, '/ogcapi/collections/stations')).json;
    expect(coll({ ...c, extent: { ...c.extent, spatial: { bbox: [[1, 2, 3]] } } })).toBe(false);
    expect(validatorFor('/ogcapi/collections/nowhere', 404, 'application/json').validate({ description: 'no code' })).toBe(false);
  });

  it('skipGeometry=true sends "geometry": null (RFC 7946), the one member the 1.0 schema does not allow (see schemas/ogcapi-features/README.md)', async () => {
    const r = await get(t, '/ogcapi/collections/stations/items?skipGeometry=true&limit=3');
    expect(r.json.features.map((f: any) => f.geometry)).toEqual([null, null, null]);
    const v = validatorFor('/ogcapi/collections/stations/items', 200, r.headers['content-type']).validate;
    expect(v(r.json)).toBe(false);
    const paths = new Set(v.errors!.map((e) => e.instancePath));
    expect([...paths].sort()).toEqual(['/features/0/geometry', '/features/1/geometry', '/features/2/geometry']);
  });
});
