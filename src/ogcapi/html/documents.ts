/**
 * The HTML pages of the API's small documents (landing page, conformance, collections, one
 * collection, queryables), rendered from the very JSON documents the API serves, so the two formats
 * cannot disagree. Plain server-side HTML: tables and links, no script.
 */
import type { OwsResponse } from '../../ows/types';
import { escHtml as esc } from '../../util/html';
import type { Collection } from '../collections';
import type { DocContext } from '../documents';
import { FORMATS } from '../formats';
import type { Link } from '../links';
import type { RouteId } from '../routes';
import { a, Crumb, htmlPage, PageFrame, propertyTable, withF } from './page';

/** What the HTML reads of a collection document (documents.ts builds it). */
interface CollectionJson {
  id: string;
  title: string;
  description: string;
  keywords?: readonly string[];
  itemType: string;
  extent: { spatial: { bbox: number[][]; crs: string }; temporal: { interval: (string | null)[][]; trs: string } };
  crs: readonly string[];
  storageCrs: string;
  links: Link[];
}

/** What the HTML reads of a queryables schema (queryables.ts builds it). */
interface QueryablesJson {
  title: string;
  description: string;
  properties: Record<string, { title?: string; type?: string; format?: string; 'x-ogc-role'?: string }>;
}

type Doc = Record<string, unknown>;

const collectionsCrumb = (root: string): Crumb => ({ title: 'Collections', href: withF(`${root}/collections`, 'html') });
const collectionCrumb = (root: string, c: CollectionJson | Collection): Crumb => ({ title: ('title' in c && c.title) || c.id, href: withF(`${root}/collections/${encodeURIComponent(c.id)}`, 'html') });

/** The spatial and temporal extent as rows. */
function extentRows(c: CollectionJson): [string, string][] {
  const [w, s, e, n] = c.extent.spatial.bbox[0] ?? [];
  const [t0, t1] = c.extent.temporal.interval[0] ?? [];
  return [
    ['Spatial extent (west, south, east, north; CRS84)', w === undefined ? '—' : `<span class="bbox">${[w, s, e, n].map((v) => esc(v)).join(', ')}</span>`],
    ['Temporal extent', `<span class="interval">${esc(t0 ?? '..')} / ${esc(t1 ?? '..')}</span>`],
  ];
}

/** The links of a collection worth following from a page: items (HTML first), queryables, metadata. */
function collectionLinks(root: string, c: CollectionJson): string {
  const items = c.links.filter((l) => l.rel === 'items');
  const html = items.find((l) => l.type === FORMATS.html.mediaType);
  const others = items.filter((l) => l !== html).map((l) => a(l.href, l.type === FORMATS.geojson.mediaType ? 'GeoJSON' : l.type === FORMATS.csv.mediaType ? 'CSV' : l.type ?? l.rel, ` type="${esc(l.type)}"`));
  const queryables = withF(`${root}/collections/${encodeURIComponent(c.id)}/queryables`, 'html');
  const iso = c.links.find((l) => l.rel === 'describedby');
  return [
    html ? `<li>${a(html.href, 'Browse the items', ' class="items-link"')} (also ${others.join(', ')})</li>` : `<li>Items: ${others.join(', ')}</li>`,
    `<li>${a(queryables, 'Queryables')}</li>`,
    iso ? `<li>${a(iso.href, iso.title ?? 'Metadata')}</li>` : '',
  ].join('');
}

function landing(d: DocContext, doc: Doc): { frame: Partial<PageFrame>; content: string } {
  const links = (doc.links as Link[]).filter((l) => l.rel !== 'self' && l.rel !== 'alternate');
  // Links to the API's own JSON resources are offered as their HTML pages here.
  const nav = links.map((l) => {
    const own = l.href.startsWith(d.root) && l.type === FORMATS.json.mediaType;
    return `<li>${a(own ? withF(l.href, 'html') : l.href, l.title ?? l.rel)} <span class="hint">(${esc(l.rel)})</span></li>`;
  });
  return {
    frame: { title: String(doc.title), crumbs: [] },
    content: `<p>${esc(String(doc.description ?? ''))}</p>\n<ul class="api-links">${nav.join('\n')}</ul>\n<p>Clients such as QGIS and GDAL connect to <code>${esc(d.root)}</code>. The ${a(`${d.baseUrl}/`, 'portal')} shows the same stations on a map with their time series.</p>\n`,
  };
}

function conformance(d: DocContext, doc: Doc): { frame: Partial<PageFrame>; content: string } {
  const classes = doc.conformsTo as string[];
  return {
    frame: { title: 'Conformance classes', crumbs: [{ title: 'Conformance' }] },
    content: `<ul class="conformance">\n${classes.map((c) => `<li><code>${esc(c)}</code></li>`).join('\n')}\n</ul>\n`,
  };
}

function collections(d: DocContext, doc: Doc): { frame: Partial<PageFrame>; content: string } {
  const rows = (doc.collections as CollectionJson[]).map((c) => {
    const [w, s, e, n] = c.extent.spatial.bbox[0] ?? [];
    const [t0, t1] = c.extent.temporal.interval[0] ?? [];
    const items = c.links.find((l) => l.rel === 'items' && l.type === FORMATS.html.mediaType);
    return `<tr data-collection="${esc(c.id)}"><td>${a(withF(`${d.root}/collections/${encodeURIComponent(c.id)}`, 'html'), c.title)}<br><code>${esc(c.id)}</code></td><td>${esc(c.description)}</td><td class="bbox">${w === undefined ? '—' : [w, s, e, n].map((v) => esc(v)).join(', ')}</td><td class="interval">${esc(t0 ?? '..')} / ${esc(t1 ?? '..')}</td><td>${items ? a(items.href, 'Items') : ''}</td></tr>`;
  });
  return {
    frame: { title: 'Collections', crumbs: [{ title: 'Collections' }] },
    content: `<div class="table-wrap"><table class="collections"><thead><tr><th>Collection</th><th>Description</th><th>Extent (W, S, E, N)</th><th>Time</th><th></th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>\n`,
  };
}

function collection(d: DocContext, doc: Doc): { frame: Partial<PageFrame>; content: string } {
  const c = doc as unknown as CollectionJson;
  const rows: [string, string][] = [
    ['Identifier', `<code>${esc(c.id)}</code>`],
    ['Description', esc(c.description)],
    ['Keywords', esc((c.keywords ?? []).join(', '))],
    ['Item type', esc(c.itemType)],
    ...extentRows(c),
    ['Storage CRS', `<code>${esc(c.storageCrs)}</code>`],
    ['CRSs', c.crs.map((x) => `<code>${esc(x)}</code>`).join('<br>')],
  ];
  return {
    frame: { title: c.title, crumbs: [collectionsCrumb(d.root), { title: c.title }] },
    content: `${propertyTable(rows, 'Collection')}<h2>Data</h2>\n<ul class="api-links">${collectionLinks(d.root, c)}</ul>\n`,
  };
}

function queryables(d: DocContext, doc: Doc, coll: Collection): { frame: Partial<PageFrame>; content: string } {
  const q = doc as unknown as QueryablesJson;
  const rows = Object.entries(q.properties).map(
    ([name, p]) => `<tr><td><code>${esc(name)}</code></td><td>${esc(p.title ?? '')}</td><td>${esc([p.type, p.format].filter(Boolean).join(', '))}</td><td>${esc(p['x-ogc-role'] ?? '')}</td></tr>`,
  );
  return {
    frame: { title: `Queryables of ${coll.type.title}`, crumbs: [collectionsCrumb(d.root), collectionCrumb(d.root, coll), { title: 'Queryables' }] },
    content: `<p>Each can be used in <code>filter</code> (CQL2), in <code>sortby</code>, and (but the geometry) as a parameter <code>name=value</code> of the items.</p>\n<div class="table-wrap"><table class="queryables"><thead><tr><th>Name</th><th>Title</th><th>Type</th><th>Role</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>\n`,
  };
}

/** The self and alternate links of a document: the JSON documents carry them, the queryables schema does not. */
function pageLinks(route: RouteId, d: DocContext, doc: Doc, coll: Collection | undefined): Link[] {
  if (Array.isArray(doc.links)) return doc.links as Link[];
  if (route === 'queryables' && coll) {
    const url = `${d.root}/collections/${encodeURIComponent(coll.id)}/queryables`;
    return [{ href: withF(url, 'json'), rel: 'alternate', type: FORMATS.schema.mediaType, title: 'Queryables as JSON Schema' }];
  }
  return [];
}

const RENDER: Partial<Record<RouteId, (d: DocContext, doc: Doc, c: Collection) => { frame: Partial<PageFrame>; content: string }>> = {
  landing,
  conformance,
  collections,
  collection,
  queryables,
};

/** The HTML page of a JSON document route (`doc` is the document its JSON format serves). */
export function htmlDocument(route: RouteId, doc: unknown, d: DocContext, coll: Collection | undefined): OwsResponse {
  const render = RENDER[route];
  if (!render) throw new Error(`No HTML page for route ${route}`);
  const { frame, content } = render(d, doc as Doc, coll!);
  const page = htmlPage({ config: d.config, baseUrl: d.baseUrl, root: d.root, title: frame.title ?? '', crumbs: frame.crumbs ?? [], links: pageLinks(route, d, doc as Doc, coll), map: false }, content);
  return { kind: 'body', contentType: FORMATS.html.contentType, headers: { Vary: 'Accept' }, body: page };
}
