import SwaggerParser from '@apidevtools/swagger-parser';
import { loadConfig } from '../../src/config/config';
import { collections } from '../../src/ogcapi/collections';
import { servedFormats } from '../../src/ogcapi/formats';
import { propertyParameterNames } from '../../src/ogcapi/itemsQuery';
import { openapiDocument } from '../../src/ogcapi/openapi';
import { ogcapiRoutes, ParamDef } from '../../src/ogcapi/routes';
import { createTestApp, TestApp } from '../helpers/app';
import { get, localPath } from './helpers';

let t: TestApp;
let doc: any;
beforeAll(async () => {
  t = await createTestApp();
  const r = await get(t, '/ogcapi/api');
  expect(r.status).toBe(200);
  doc = r.json;
});
afterAll(async () => {
  await t?.close();
});

const OAS = 'application/vnd.oai.openapi+json;version=3.0';
/** GDAL 3.6's OAPIF driver asks /api with this Accept header. */
const GDAL_ACCEPT = `${OAS}, application/openapi+json;version=3.0, application/json`;
const paramKey = (p: { name: string; in: string }) => `${p.in}:${p.name}`;
/** The row's parameter as the document must write it. */
const asParameter = (p: ParamDef) => ({ name: p.name, in: p.in, required: p.required, description: p.description, schema: p.schema, ...(p.style ? { style: p.style } : {}), ...(p.explode !== undefined ? { explode: p.explode } : {}) });

describe('the OpenAPI document at /api', () => {
  it('is served as OpenAPI 3.0 JSON, to GDAL as to anyone, and linked from the landing page as service-desc', async () => {
    const r = await get(t, '/ogcapi/api', { Accept: GDAL_ACCEPT });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(`${OAS}; charset=utf-8`);
    expect(r.json).toEqual(doc);
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    expect(doc.servers).toEqual([{ url: 'http://rg.test/ogcapi', description: expect.any(String) }]);
    const links = (await get(t, '/ogcapi')).json.links as any[];
    const desc = links.filter((l) => l.rel === 'service-desc');
    expect(desc).toEqual([{ href: 'http://rg.test/ogcapi/api', rel: 'service-desc', type: OAS, title: expect.any(String) }]);
    expect((await get(t, localPath(desc[0].href), { Accept: OAS })).json).toEqual(doc);
  });

  it('is valid OpenAPI 3.0 (the OAS 3.0 JSON Schema, every $ref resolved) by swagger-parser', async () => {
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  });

  it('swagger-parser refuses a broken copy (so the check above can fail)', async () => {
    const broken = structuredClone(doc);
    broken.paths['/collections/{collectionId}/items'].get.responses['200'].content['application/geo+json'].schema = { $ref: '#/components/schemas/nothing' };
    await expect(SwaggerParser.validate(broken)).rejects.toThrow();
    const bad = structuredClone(doc);
    bad.paths['/conformance'].get.parameters[0].in = 'body';
    await expect(SwaggerParser.validate(bad)).rejects.toThrow(/schema validation failed/i);
  });

  it('has every route of the table with exactly its parameters, its served formats and error responses', () => {
    const config = t.config;
    const routes = ogcapiRoutes(config);
    const ops = new Set<string>();
    for (const route of routes) {
      const op = doc.paths[route.path || '/']?.get;
      expect({ path: route.path, present: op !== undefined }).toEqual({ path: route.path, present: true });
      expect(op.operationId).toBe(route.id);
      expect(op.summary).toBe(route.summary);
      expect(op.parameters).toEqual(route.parameters.map(asParameter));
      const media = Object.keys(op.responses['200'].content);
      expect(media).toEqual(servedFormats(route.formats).map((f) => f.mediaType));
      for (const m of media) {
        const schema = op.responses['200'].content[m].schema;
        if (/json/.test(m)) expect(schema).toEqual({ $ref: `#/components/schemas/${route.responseSchema}` });
        else expect(schema).toEqual({ type: 'string' });
      }
      for (const h of route.responseHeaders ?? []) expect(Object.keys(op.responses['200'].headers)).toContain(h);
      for (const status of ['400', '406', '503']) expect(op.responses[status]).toEqual({ $ref: expect.stringMatching(/^#\/components\/responses\//) });
      expect(op.responses['404'] !== undefined).toBe(route.parameters.some((p) => p.in === 'path'));
      ops.add(route.path || '/');
    }
    // Nothing else but the per-collection paths of the routes whose queryables are parameters.
    const concrete = routes.filter((r) => r.queryableParameters).flatMap((r) => collections(config).map((c) => r.path.replace('{collectionId}', c.id)));
    expect(Object.keys(doc.paths).sort()).toEqual([...ops, ...concrete].sort());
  });

  it('lists each collection\'s queryables as parameters of its items path (where GDAL looks), typed as /queryables types them', async () => {
    const items = ogcapiRoutes(t.config).find((r) => r.id === 'items')!;
    for (const c of collections(t.config)) {
      const op = doc.paths[`/collections/${c.id}/items`].get;
      const names = op.parameters.map((p: any) => p.name);
      expect(names).toEqual([...items.parameters.filter((p) => p.in === 'query').map((p) => p.name), ...propertyParameterNames(c)]);
      const queryables = (await get(t, `/ogcapi/collections/${c.id}/queryables`)).json.properties;
      for (const name of propertyParameterNames(c)) {
        const { type, format } = queryables[name];
        expect({ name, schema: op.parameters.find((p: any) => p.name === name).schema }).toEqual({ name, schema: format ? { type, format } : { type } });
      }
    }
    const qc = doc.paths['/collections/observations/items'].get.parameters.find((p: any) => p.name === 'qc');
    expect(qc).toMatchObject({ in: 'query', required: false, schema: { type: 'integer' } });
  });

  it('advertises limit with the configured default and maximum', async () => {
    const limit = doc.paths['/collections/{collectionId}/items'].get.parameters.find((p: any) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, default: t.config.ogcapiLimitDefault, maximum: t.config.ogcapiLimitMax });
    // Generated per configuration, not written once.
    const other = openapiDocument({ ...loadConfig({ OGCAPI_LIMIT_DEFAULT: '25', OGCAPI_LIMIT_MAX: '500' }) }, 'http://x/ogcapi');
    for (const p of ['/collections/{collectionId}/items', '/collections/stations/items']) {
      expect(other.paths[p].get as any).toMatchObject({ parameters: expect.arrayContaining([expect.objectContaining({ name: 'limit', schema: expect.objectContaining({ default: 25, maximum: 500 }) })]) });
    }
  });

  it('has unique operationIds and declares every path template variable as a required path parameter', () => {
    const ids: string[] = [];
    for (const [p, item] of Object.entries<any>(doc.paths)) {
      const op = item.get;
      ids.push(op.operationId);
      const vars = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const pathParams = op.parameters.filter((x: any) => x.in === 'path');
      expect(pathParams.map((x: any) => x.name).sort()).toEqual(vars);
      for (const x of pathParams) expect(x.required).toBe(true);
      const keys = op.parameters.map(paramKey);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes what the router does: every query parameter it lists is accepted, one it does not list is refused', async () => {
    const values: Record<string, string> = { collectionId: 'stations', featureId: 'NCL_AMEDEE' };
    for (const [p, item] of Object.entries<any>(doc.paths)) {
      const url = `/ogcapi${p === '/' ? '' : p.replace(/\{(\w+)\}/g, (_m, n: string) => values[n])}`;
      for (const param of item.get.parameters.filter((x: any) => x.in === 'query')) {
        const s = param.schema;
        const v = s.default !== undefined ? String(s.default) : s.enum ? String(s.enum[0]) : s.type === 'array' ? '' : s.type === 'integer' ? '1' : 'x';
        const r = await get(t, `${url}?${encodeURIComponent(param.name)}=${encodeURIComponent(v)}`);
        expect({ url, param: param.name, unknown: /Unknown parameter/.test(r.json?.description ?? '') }).toEqual({ url, param: param.name, unknown: false });
        expect(r.status).toBeLessThan(500);
      }
      const r = await get(t, `${url}?notAParameter=1`);
      expect({ url, status: r.status }).toEqual({ url, status: 400 });
      expect(r.json.description).toMatch(/Unknown parameter/);
    }
  });

  it('is one document per configuration, its server the request\'s public URL', async () => {
    const r = await get(t, '/ogcapi/api', { 'X-Forwarded-Host': 'evil.test' });
    expect(r.json.servers[0].url).toBe('http://rg.test/ogcapi');
    const pub = await createTestApp({ publicUrl: 'https://data.example.org' });
    try {
      const p = await get(pub, '/ogcapi/api');
      expect(p.json.servers[0].url).toBe('https://data.example.org/ogcapi');
      expect(p.json.paths).toEqual(doc.paths);
    } finally {
      await pub.close();
    }
  });

  it('answers 406 for a format it does not have, and the api route takes no other parameter', async () => {
    expect((await get(t, '/ogcapi/api?f=csv')).status).toBe(406);
    expect((await get(t, '/ogcapi/api', { Accept: 'image/png' })).status).toBe(406);
    expect((await get(t, '/ogcapi/api?f=json')).headers['content-type']).toBe(`${OAS}; charset=utf-8`);
  });
});

describe('the HTML page of the document (service-doc)', () => {
  let html: string;
  beforeAll(async () => {
    const links = (await get(t, '/ogcapi')).json.links as any[];
    const docLink = links.filter((l) => l.rel === 'service-doc');
    expect(docLink).toEqual([{ href: 'http://rg.test/ogcapi/api?f=html', rel: 'service-doc', type: 'text/html', title: expect.any(String) }]);
    const r = await get(t, localPath(docLink[0].href));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    html = r.text;
  });

  it('is what a browser gets from /api', async () => {
    const r = await get(t, '/ogcapi/api', { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.text).toBe(html);
  });

  it('shows every operation with each of its parameters, its responses, and every schema', () => {
    for (const [p, item] of Object.entries<any>(doc.paths)) {
      const op = item.get;
      const start = html.indexOf(`<section id="op-${op.operationId}">`);
      expect({ op: op.operationId, found: start >= 0 }).toEqual({ op: op.operationId, found: true });
      const section = html.slice(start, html.indexOf('</section>', start));
      expect(section).toContain(`<code>${p}</code>`);
      for (const param of op.parameters) expect(section).toContain(`<td><code>${param.name}</code></td>`);
      for (const status of Object.keys(op.responses)) expect(section).toContain(`<td>${status}</td>`);
    }
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`<section id="schema-${name}"><h3>${name}</h3>`);
    // limit's default and maximum are readable as text.
    expect(html).toMatch(new RegExp(`maximum ${t.config.ogcapiLimitMax}; default <code>${t.config.ogcapiLimitDefault}</code>`));
    // Schema references are links to the schema on the page.
    expect(html).toContain('<a href="#schema-featureCollectionGeoJSON">featureCollectionGeoJSON</a>');
  });

  it('needs no script, no inline style (the CSP allows neither) and nothing from another origin, and escapes the configured text', async () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<style|\sstyle=/i);
    expect(html).not.toMatch(/\ssrc=/i);
    // Its only style sheet is the OGC API pages' one, served by the gateway itself.
    for (const m of html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/gi)) {
      expect(m[1]).toMatch(/^http:\/\/rg\.test\/portal\/assets\/ogcapi-[^/]+\.css$/);
      expect((await t.http.get(localPath(m[1]))).status).toBe(200);
    }
    const x = await createTestApp({ serviceTitle: 'Reef <b>&</b> "test"' });
    try {
      const page = (await get(x, '/ogcapi/api?f=html')).text;
      expect(page).toContain('<h1>Reef &#60;b&#62;&#38;&#60;/b&#62; &#34;test&#34; – API definition</h1>');
      expect(page).not.toContain('<b>&</b>');
    } finally {
      await x.close();
    }
  });
});
