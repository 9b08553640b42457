/**
 * The OGC API – Features HTML pages (landing, conformance, collections, collection, queryables, items,
 * item): served by f=html and by a browser's Accept, holding the data, linked to the JSON/CSV
 * alternates and back, paged by next links, escaped, streamed and bounded like the other formats.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importDirectory } from '../../src/ingest/importer';
import { createTestApp, TestApp } from '../helpers/app';
import { get, localPath } from './helpers';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const HTML_CLASS = 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html';
const EVIL = '<script>alert("reef")</script> & Récif \'Amédée\'';
const EVIL_ST = 'XSS_ST';
const EVIL_DS = 'XSS_TEMP';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  // A station whose name (from a provider's file) holds markup, with a dataset and observations.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-oapif-html-'));
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  fs.writeFileSync(path.join(dir, 'stations.csv'), `station_id,name,network,producer,country,lat,lon,depth_m\n${EVIL_ST},${q(EVIL)},ReefTEMPS,IRD,NCL,-22.4775,166.4675,12\n`);
  fs.writeFileSync(
    path.join(dir, 'datasets.csv'),
    `dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end\n${EVIL_DS},${EVIL_ST},TEMP,sea_water_temperature,Sea temperature,Cel,RAW DATA,SBE56,2024-01-01T00:00:00Z,2024-01-01T02:00:00Z\n`,
  );
  fs.writeFileSync(path.join(dir, 'observations.csv'), `dataset_id,time,value,qc\n${EVIL_DS},2024-01-01T00:00:00Z,25.1,1\n${EVIL_DS},2024-01-01T01:00:00Z,25.2,1\n`);
  await importDirectory(t.db.store, dir);
  fs.rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await t?.close();
});

/** Text of an HTML attribute or text node with the character references the pages write decoded. */
const unescape = (s: string) => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
/** Every match of a pattern's first group, decoded. */
const all = (re: RegExp, html: string) => [...html.matchAll(re)].map((m) => unescape(m[1]));
/** Feature ids of the rows of an items page. */
const rowIds = (html: string) => all(/<tr data-id="([^"]*)"/g, html);
/** The href of the anchor with this rel, decoded, as a local path. */
const relHref = (html: string, rel: string): string | undefined => {
  const m = new RegExp(`<a href="([^"]*)" rel="${rel}">`).exec(html);
  return m ? localPath(unescape(m[1])) : undefined;
};

async function html(url: string, headers: Record<string, string> = {}) {
  const r = await get(t, url, headers);
  expect([r.status, r.status === 200 ? '' : r.text.slice(0, 300)]).toEqual([200, '']);
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(r.headers.vary).toMatch(/Accept/);
  // Under the gateway's CSP only external scripts and JSON data blocks run: no inline script anywhere.
  for (const tag of r.text.match(/<script[^>]*>/g) ?? []) expect(tag).toMatch(/type="application\/json"|src="/);
  expect(r.text.startsWith('<!doctype html>')).toBe(true);
  expect(r.text).toMatch(/<\/html>\n$/);
  return r.text;
}

async function stationCodes(): Promise<string[]> {
  const r = await t.db.store.query('SELECT code FROM station ORDER BY id');
  return r.rows.map((x) => (x as { code: string }).code);
}

describe('pages', () => {
  it('landing page: title, links to conformance and collections as HTML, the portal and the JSON alternate', async () => {
    const page = await html('/ogcapi?f=html');
    expect(page).toContain(`<h1>${t.config.serviceTitle}</h1>`);
    expect(page).toContain('href="http://rg.test/ogcapi/conformance?f=html"');
    expect(page).toContain('href="http://rg.test/ogcapi/collections?f=html"');
    expect(page).toContain('<a href="http://rg.test/">Portal</a>');
    expect(page).toContain('<link rel="alternate" type="application/json" href="http://rg.test/ogcapi?f=json"');
  });

  it('conformance page lists every class, the HTML class among them', async () => {
    const page = await html('/ogcapi/conformance?f=html');
    const json = (await get(t, '/ogcapi/conformance')).json;
    expect(json.conformsTo).toContain(HTML_CLASS);
    expect(all(/<li><code>([^<]*)<\/code><\/li>/g, page)).toEqual(json.conformsTo);
  });

  it('collections page: each collection with its title, extent and items link', async () => {
    const page = await html('/ogcapi/collections?f=html');
    const json = (await get(t, '/ogcapi/collections')).json;
    expect(all(/<tr data-collection="([^"]*)"/g, page)).toEqual(['stations', 'datasets', 'observations', 'insitu']);
    for (const c of json.collections) {
      expect(page).toContain(`>${c.title}</a>`);
      expect(page).toContain(`<td class="bbox">${c.extent.spatial.bbox[0].join(', ')}</td>`);
      expect(page).toContain(`href="http://rg.test/ogcapi/collections/${c.id}/items?f=html"`);
    }
  });

  it.each(['stations', 'datasets', 'observations'])('collection page of %s: description, extent, CRSs, links to items, queryables and the ISO record', async (id) => {
    const page = await html(`/ogcapi/collections/${id}?f=html`);
    const c = (await get(t, `/ogcapi/collections/${id}`)).json;
    expect(page).toContain(`<h1>${c.title}</h1>`);
    expect(page).toContain(c.description);
    expect(page).toContain(`<span class="bbox">${c.extent.spatial.bbox[0].join(', ')}</span>`);
    expect(page).toContain(`<span class="interval">${c.extent.temporal.interval[0][0]} / ${c.extent.temporal.interval[0][1]}</span>`);
    for (const crs of c.crs) expect(page).toContain(`<code>${crs}</code>`);
    expect(page).toContain(`href="http://rg.test/ogcapi/collections/${id}/items?f=html" class="items-link"`);
    expect(page).toContain(`href="http://rg.test/ogcapi/collections/${id}/items?f=csv"`);
    expect(page).toContain(`href="http://rg.test/ogcapi/collections/${id}/queryables?f=html"`);
    expect(unescape(page)).toContain(c.links.find((l: any) => l.rel === 'describedby').href);
  });

  it('queryables page: every queryable with its type', async () => {
    const page = await html('/ogcapi/collections/observations/queryables?f=html');
    const schema = (await get(t, '/ogcapi/collections/observations/queryables')).json;
    expect(all(/<tr><td><code>([^<]*)<\/code>/g, page)).toEqual(Object.keys(schema.properties));
    expect(page).toContain('<link rel="alternate" type="application/schema+json"');
  });

  it('items page of stations: a row per station with its properties, the positions, the map element and the alternates', async () => {
    const page = await html('/ogcapi/collections/stations/items?f=html&limit=100');
    const json = (await get(t, '/ogcapi/collections/stations/items?limit=100')).json;
    expect(rowIds(page)).toEqual(json.features.map((f: any) => f.id));
    expect(rowIds(page)).toEqual(await stationCodes());
    const amedee = json.features.find((f: any) => f.id === 'NCL_AMEDEE');
    const row = new RegExp(`<tr data-id="NCL_AMEDEE"[^>]*>(.*?)</tr>`).exec(page)![1];
    expect(row).toContain(`>${amedee.properties.name}</td>`);
    expect(row).toContain(`<td class="position">${amedee.geometry.coordinates.join(', ')}</td>`);
    expect(row).toContain('href="http://rg.test/ogcapi/collections/stations/items/NCL_AMEDEE?f=html"');
    expect(JSON.parse(unescape(/<tr data-id="NCL_AMEDEE"[^>]* data-geometry="([^"]*)"/.exec(page)![1]))).toEqual(amedee.geometry);
    expect(page).toContain(`data-matched="${json.numberMatched}"`);
    expect(page).toMatch(/<div id="map" class="feature-map" data-crs="http:\/\/www.opengis.net\/def\/crs\/OGC\/1.3\/CRS84"[^>]* hidden><\/div>/);
    expect(page).toContain('<link rel="alternate" type="application/geo+json" href="http://rg.test/ogcapi/collections/stations/items?limit=100&#38;f=geojson"');
    expect(page).toContain('href="http://rg.test/ogcapi/collections/stations/items?limit=100&#38;f=csv"');
  });

  it('items pages of datasets and observations link their stations and datasets', async () => {
    const ds = await html('/ogcapi/collections/datasets/items?f=html&stationId=NCL_OUVEA01');
    const dsJson = (await get(t, '/ogcapi/collections/datasets/items?stationId=NCL_OUVEA01')).json;
    expect(rowIds(ds)).toEqual(dsJson.features.map((f: any) => f.id));
    expect(ds).toContain('<a href="http://rg.test/ogcapi/collections/stations/items/NCL_OUVEA01?f=html">NCL_OUVEA01</a>');
    const id = dsJson.features[0].id;
    const obs = await html(`/ogcapi/collections/observations/items?f=html&datasetId=${id}&limit=5`);
    const obsJson = (await get(t, `/ogcapi/collections/observations/items?datasetId=${id}&limit=5`)).json;
    expect(rowIds(obs)).toEqual(obsJson.features.map((f: any) => f.id));
    for (const f of obsJson.features) expect(obs).toContain(`<td class="num">${f.properties.value}</td>`);
    expect(obs).toContain(`<a href="http://rg.test/ogcapi/collections/datasets/items/${id}?f=html">${id}</a>`);
  });

  it('item pages: every property, the map element, the alternates, the collection and the portal', async () => {
    const page = await html('/ogcapi/collections/stations/items/NCL_AMEDEE?f=html');
    const f = (await get(t, '/ogcapi/collections/stations/items/NCL_AMEDEE')).json;
    expect(page).toContain(`<h1>${f.properties.name} (NCL_AMEDEE)</h1>`);
    for (const [k, v] of Object.entries(f.properties)) {
      if (k === 'observationsUrl') expect(unescape(page)).toContain(`<a href="${v}">${v}</a>`);
      else expect(page).toContain(`<tr><th scope="row">${k}</th><td>${v ?? ''}</td></tr>`);
    }
    expect(page).toContain('<section class="feature" data-id="NCL_AMEDEE"');
    expect(page).toContain('id="map"');
    expect(page).toContain('<link rel="alternate" type="application/geo+json" href="http://rg.test/ogcapi/collections/stations/items/NCL_AMEDEE?f=geojson"');
    expect(page).toContain('<a href="http://rg.test/#station=NCL_AMEDEE" class="portal-link">');
    expect(page).toContain('href="http://rg.test/ogcapi/collections/stations?f=html"');

    const ds = await html('/ogcapi/collections/datasets/items/OUVEA01_TEMP_0A_SBE56?f=html');
    expect(ds).toContain('<a href="http://rg.test/#station=NCL_OUVEA01&#38;dataset=OUVEA01_TEMP_0A_SBE56" class="portal-link">');
    const obsId = (await get(t, '/ogcapi/collections/observations/items?limit=1')).json.features[0].id;
    const obs = await html(`/ogcapi/collections/observations/items/${obsId}?f=html`);
    expect(obs).toContain(`<tr><th scope="row">id</th><td>${obsId}</td></tr>`);
  });

  it('answers 404 in JSON for an unknown item, as for the other formats', async () => {
    const r = await get(t, '/ogcapi/collections/stations/items/NOPE?f=html');
    expect(r.status).toBe(404);
    expect(r.json.code).toBe('NotFound');
  });
});

describe('negotiation and alternates', () => {
  it.each(['/ogcapi', '/ogcapi/conformance', '/ogcapi/collections', '/ogcapi/collections/stations', '/ogcapi/collections/stations/queryables', '/ogcapi/collections/stations/items', '/ogcapi/collections/stations/items/NCL_AMEDEE'])(
    'serves HTML to a browser at %s and JSON to clients that send no Accept',
    async (url) => {
      await html(url, { Accept: BROWSER });
      const r = await get(t, url);
      expect(r.headers['content-type']).toMatch(/^application\/(geo\+|schema\+)?json/);
    },
  );

  it.each(['/ogcapi', '/ogcapi/conformance', '/ogcapi/collections', '/ogcapi/collections/stations', '/ogcapi/collections/stations/items?limit=2', '/ogcapi/collections/stations/items/NCL_AMEDEE'])('the JSON at %s lists its HTML alternate', async (url) => {
    const r = await get(t, url);
    const alt = (r.json.links as any[]).find((l) => l.rel === 'alternate' && l.type === 'text/html');
    expect(alt).toBeDefined();
    expect(alt.href).toMatch(/[?&]f=html$/);
    await html(localPath(alt.href));
  });

  it('lists the HTML items among the collection links', async () => {
    const c = (await get(t, '/ogcapi/collections/stations')).json;
    expect(c.links.filter((l: any) => l.rel === 'items').map((l: any) => l.type).sort()).toEqual(['application/geo+json', 'text/csv', 'text/html']);
  });

  it.each(['f=xyz', 'f=HTM', 'f=gml'])('still answers %s with 406', async (q) => {
    for (const url of [`/ogcapi/collections/stations/items?${q}`, `/ogcapi?${q}`]) {
      const r = await get(t, url);
      expect(r.status).toBe(406);
      expect(r.json.code).toBe('InvalidParameterValue');
      expect(r.json.description).toContain('html (text/html)');
    }
    expect((await get(t, '/ogcapi/collections', { Accept: 'image/png' })).status).toBe(406);
  });
});

describe('paging', () => {
  it('follows next links from the first HTML page to the last, every station once, prev links back', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/ogcapi/collections/stations/items?f=html&limit=7';
    let pages = 0;
    let last = '';
    while (url && pages < 20) {
      last = await html(url);
      seen.push(...rowIds(last));
      url = relHref(last, 'next');
      pages++;
    }
    expect(seen).toEqual(await stationCodes());
    expect(pages).toBe(Math.ceil(seen.length / 7));
    const prev = relHref(last, 'prev')!;
    expect(prev).toMatch(/f=html/);
    expect(rowIds(await html(prev))).toEqual(seen.slice((pages - 2) * 7, (pages - 1) * 7));
  });

  it('keeps a browser on HTML pages when the format came from Accept, and keyset-pages filtered observations', async () => {
    const q = `datetime=${encodeURIComponent('2024-03-01T00:00:00Z/2024-03-03T00:00:00Z')}&limit=40`;
    const first = await html(`/ogcapi/collections/observations/items?${q}`, { Accept: BROWSER });
    const next = relHref(first, 'next')!;
    expect(next).toMatch(/after=/);
    expect(next).toMatch(/f=html/);
    const second = await html(next);
    const json = (await get(t, `/ogcapi/collections/observations/items?${q}&f=json`)).json;
    const jsonNext = (await get(t, localPath(json.links.find((l: any) => l.rel === 'next').href))).json;
    expect(rowIds(first)).toEqual(json.features.map((f: any) => f.id));
    expect(rowIds(second)).toEqual(jsonNext.features.map((f: any) => f.id));
  });
});

describe('escaping', () => {
  it('writes a station name holding markup as text everywhere', async () => {
    const pages = [
      await html(`/ogcapi/collections/stations/items?f=html&limit=100`),
      await html(`/ogcapi/collections/stations/items/${EVIL_ST}?f=html`),
      await html(`/ogcapi/collections/datasets/items?f=html&stationId=${EVIL_ST}`),
    ];
    const escaped = '&#60;script&#62;alert(&#34;reef&#34;)&#60;/script&#62; &#38; Récif &#39;Amédée&#39;';
    for (const page of pages) {
      expect(page).not.toContain('<script>alert');
      expect(page).toContain(escaped);
    }
    expect(pages[0]).toContain(`data-label="${escaped}"`);
    expect(pages[1]).toContain(`<h1>${escaped} (${EVIL_ST})</h1>`);
    expect(pages[1]).toContain(`<title>${escaped} (${EVIL_ST}) · `);
    expect(pages[2]).toContain(`<td>${escaped}</td>`);
  });
});

describe('bounds and streaming', () => {
  it('serves at most OGCAPI_LIMIT_MAX rows, with a next link', async () => {
    const small = await createTestApp({ ogcapiLimitMax: 5, ogcapiLimitDefault: 5 });
    try {
      const r = await get(small, '/ogcapi/collections/stations/items?f=html&limit=100000');
      expect(r.status).toBe(200);
      expect(rowIds(r.text)).toHaveLength(5);
      expect(relHref(r.text, 'next')).toMatch(/limit=5&offset=5/);
    } finally {
      await small.close();
    }
  });

  it('streams a page larger than one cursor batch from the cursor (chunked) with every row', async () => {
    const r = await get(t, '/ogcapi/collections/observations/items?f=html&limit=2500&skipGeometry=true');
    expect(r.status).toBe(200);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.headers['content-length']).toBeUndefined();
    const ids = rowIds(r.text);
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    const json = (await get(t, '/ogcapi/collections/observations/items?limit=2500&skipGeometry=true')).json;
    expect(ids).toEqual(json.features.map((f: any) => f.id));
    // No geometry: no map and no position column.
    expect(r.text).not.toContain('id="map"');
    expect(relHref(r.text, 'next')).toMatch(/offset=2500/);
  });

  it('draws no map for a CRS the map script cannot place, and shows positions in that CRS', async () => {
    const crs = 'http://www.opengis.net/def/crs/EPSG/0/3163';
    const page = await html(`/ogcapi/collections/stations/items/NCL_AMEDEE?f=html&crs=${encodeURIComponent(crs)}`);
    const f = (await get(t, `/ogcapi/collections/stations/items/NCL_AMEDEE?crs=${encodeURIComponent(crs)}`)).json;
    expect(page).not.toContain('id="map"');
    expect(page).toContain('The map is drawn for the CRSs');
    expect(page).toContain(f.geometry.coordinates.join(', '));
  });
});
