import { loadConfig } from '../../src/config/config';
import { negotiate } from '../../src/ogcapi/formats';
import { ogcapiRoutes, ParamDef } from '../../src/ogcapi/routes';
import { createTestApp, TestApp } from '../helpers/app';
import { get } from './helpers';

describe('format negotiation (one function, one table)', () => {
  const items = ['geojson', 'csv', 'html'] as const;
  it.each([
    [undefined, undefined, 'geojson'],
    ['json', 'text/csv', 'geojson'],
    ['geojson', undefined, 'geojson'],
    ['CSV', undefined, 'csv'],
    [undefined, 'text/csv;q=0.9, application/geo+json;q=0.5', 'csv'],
    [undefined, 'application/json', 'geojson'],
    [undefined, 'text/*', 'csv'],
    [undefined, '*/*', 'geojson'],
    [undefined, 'text/html, */*;q=0.1', 'html'],
    ['html', 'application/json', 'html'],
    [undefined, 'text/html;q=0.5, application/geo+json', 'geojson'],
    [undefined, 'garbage', 'geojson'],
  ])('f=%p Accept=%p → %s', (f, accept, id) => {
    expect(negotiate(items, f, accept).id).toBe(id);
  });

  it.each([
    ['xyz', undefined],
    ['htm', undefined],
    [undefined, 'image/png'],
    [undefined, 'text/csv;q=0, application/geo+json;q=0, application/json;q=0'],
  ])('f=%p Accept=%p → 406', (f, accept) => {
    expect(() => negotiate(items, f, accept)).toThrow(expect.objectContaining({ status: 406 }));
  });
});

describe('the route table is what the router accepts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A value of the parameter's schema: its default, its first enum value, or one of its type. */
  function sample(p: ParamDef): string {
    const s = p.schema as { default?: unknown; enum?: unknown[]; type?: string };
    if (s.default !== undefined) return String(s.default);
    if (s.enum) return String(s.enum[0]);
    return s.type === 'array' ? '' : 'x';
  }

  it('declares every parameter it takes: each, with a value of its schema, is never refused as unknown', async () => {
    const config = loadConfig({});
    const paths: Record<string, string> = { collectionId: 'stations', featureId: 'NCL_AMEDEE' };
    for (const route of ogcapiRoutes(config)) {
      // Path parameters and required query parameters take their example (EDR routes: their collection, coords…).
      const path = (n: string) => route.parameters.find((p) => p.in === 'path' && p.name === n)?.example ?? paths[n];
      const required = route.parameters.filter((p) => p.in === 'query' && p.required).map((p): [string, string] => [p.name, p.example!]);
      const query = (extra: [string, string][] = []) => {
        const all = [...required.filter(([n]) => !extra.some(([m]) => m === n)), ...extra];
        return all.length ? `?${all.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
      };
      const url = `/ogcapi${route.path.replace(/\{(\w+)\}/g, (_m, n: string) => path(n))}`;
      expect({ url, status: (await get(t, url + query())).status }).toEqual({ url, status: 200 });
      for (const p of route.parameters.filter((x) => x.in === 'query')) {
        const r = await get(t, url + query([[p.name, sample(p)]]));
        expect({ url, param: p.name, unknown: /Unknown parameter/.test(r.json?.description ?? '') }).toEqual({ url, param: p.name, unknown: false });
        expect(r.status).toBeLessThan(500);
      }
    }
  });

  it('takes each queryable as an items parameter, and nothing else', async () => {
    const q = (await get(t, '/ogcapi/collections/datasets/queryables')).json;
    for (const name of Object.keys(q.properties).filter((n) => n !== 'geom')) {
      const r = await get(t, `/ogcapi/collections/datasets/items?${name}=1`);
      expect(/Unknown parameter/.test(r.json?.description ?? '')).toBe(false);
    }
    expect((await get(t, '/ogcapi/collections/datasets/items?geom=1')).status).toBe(400);
    expect((await get(t, '/ogcapi/collections/datasets/items?sosUrl=1')).status).toBe(400);
  });
});
