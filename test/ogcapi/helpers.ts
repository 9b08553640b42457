import type { TestApp } from '../helpers/app';

/** A GET answered as text (whatever the media type), with the parsed JSON when it is JSON and has a body (not for a 204 or a 304). */
export async function get(t: TestApp, url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string>; text: string; json: any }> {
  // One Host for every request: supertest's ephemeral ports would make each answer's links differ.
  let req = t.http.get(url).set('Host', 'rg.test');
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  const r = await req.buffer(true).parse((res, cb) => {
    let s = '';
    res.on('data', (c: Buffer) => (s += c.toString('utf8')));
    res.on('end', () => cb(null, s));
  });
  const text = (r.body as string) ?? '';
  const json = /json/.test(String(r.headers['content-type'] ?? '')) && text !== '' ? JSON.parse(text) : undefined;
  return { status: r.status, headers: r.headers as Record<string, string>, text, json };
}

/** The path and query of an absolute link, for supertest (which talks to the app without a host). */
export function localPath(href: string): string {
  const u = new URL(href);
  return `${u.pathname}${u.search}`;
}

/** Follows `next` links from a first page to the end (or `stopAfter` pages); returns every page read. */
export async function followPages(t: TestApp, first: string, stopAfter?: number): Promise<any[]> {
  const pages: any[] = [];
  const maxPages = 1000;
  let url: string | undefined = first;
  while (url && pages.length !== stopAfter) {
    const r = await get(t, url);
    expect(r.status).toBe(200);
    pages.push(r.json);
    const next = (r.json.links as any[]).find((l) => l.rel === 'next');
    url = next ? localPath(next.href) : undefined;
    if (pages.length > maxPages) throw new Error('too many pages');
  }
  return pages;
}

/** Ids and coordinates of every feature of an items query, read by the API's own next links (what a client that pages should end up with). */
export async function apiFeatures(t: TestApp, collection: string, query: string): Promise<[string, number[]][]> {
  const pages = await followPages(t, `/ogcapi/collections/${collection}/items?limit=10000&${query}`);
  return pages.flatMap((p) => p.features.map((f: any) => [f.id, f.geometry.coordinates]));
}

/** WFS 2.0 GetFeature as GeoJSON (the reference the OGC API answers are compared with). */
export async function wfsGeojson(t: TestApp, query: string): Promise<any> {
  const r = await get(t, `/wfs?service=WFS&version=2.0.0&request=GetFeature&outputformat=application/json&${query}`);
  expect(r.status).toBe(200);
  return JSON.parse(r.text);
}

/** Expects two feature lists to hold the same features in the same order: ids (WFS's without `Type.`), coordinates to 1e-9, properties. */
export function expectSameFeatures(oapif: any[], wfs: any[], typeName: string): void {
  expect(oapif.map((f) => f.id)).toEqual(wfs.map((f) => String(f.id).slice(typeName.length + 1)));
  for (let i = 0; i < oapif.length; i++) {
    const a = oapif[i].geometry.coordinates as number[];
    const b = wfs[i].geometry.coordinates as number[];
    expect(a).toHaveLength(b.length);
    for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k])).toBeLessThanOrEqual(1e-9);
    expect(oapif[i].properties).toEqual(wfs[i].properties);
  }
}
