/**
 * The HTML items and item pages. The items page is a FeatureEncoder like GeoJSON and CSV, so it is
 * read and streamed by the same page reader and chunk writer (bounded memory, `limit` capped at
 * OGCAPI_LIMIT_MAX): the page frame and table head first, one table row per feature, then the paging
 * links (known only after the last row, as in GeoJSON). Each row carries its geometry in
 * `data-geometry`, which the portal bundle's map script draws; the table needs no script.
 */
import type { PropertyDef } from '../../catalog/types';
import type { CollectionInfo, FeatureEncoder, FeatureRow } from '../../encoders/features/featureEncoder';
import { propertyText } from '../../encoders/features/featureEncoder';
import type { ApiLink } from '../../encoders/features/ogcapiGeojson';
import { escHtml as esc } from '../../util/html';
import type { Collection } from '../collections';
import type { ApiContext } from '../context';
import { CRS84 } from '../crs';
import { FORMATS } from '../formats';
import { a, Crumb, pageEnd, pageStart, PageFrame, propertyTable, withF } from './page';

/** The CRSs the map script can place without a projection library (see portal/src/coords.ts lonLatOf). */
const MAPPABLE = new Set([CRS84, 'http://www.opengis.net/def/crs/EPSG/0/4326', 'http://www.opengis.net/def/crs/EPSG/0/3857']);

/** Properties holding the id of a feature of another collection: their values link to its page. */
const REFERENCES: Record<string, string> = { stationId: 'stations', datasetId: 'datasets' };

const NUMERIC = new Set<PropertyDef['type']>(['int', 'long', 'double']);

function itemUrl(root: string, collectionId: string, featureId: string): string {
  return withF(`${root}/collections/${encodeURIComponent(collectionId)}/items/${encodeURIComponent(featureId)}`, 'html');
}

/** One property value of a feature of `c` as HTML: links for URLs and references to other collections, else the text. */
function valueHtml(p: PropertyDef, v: string | null | undefined, ctx: ApiContext, c: Collection, short: boolean): string {
  if (v === null || v === undefined) return '';
  if (p.link) {
    const url = propertyText(p, v, ctx.baseUrl);
    return a(url, short ? 'link' : url);
  }
  const ref = REFERENCES[p.name];
  if (ref && ref !== c.id) return a(itemUrl(ctx.root, ref, v), v);
  return esc(v);
}

/** The coordinates of a GeoJSON geometry as text ("x, y"), in the response CRS's axis order. */
function positionText(geometry: string | null): string {
  if (!geometry) return '';
  try {
    const g = JSON.parse(geometry) as { coordinates?: unknown };
    return esc(JSON.stringify(g.coordinates).replace(/[[\]]/g, '').replace(/,/g, ', '));
  } catch {
    return '';
  }
}

/** A readable name of a feature: its `name` when it has one, else its id. */
function labelOf(row: FeatureRow, props: PropertyDef[]): string {
  const i = props.findIndex((p) => p.name === 'name');
  return (i >= 0 ? row[i + 2] : null) ?? row[0] ?? '';
}

/** Attributes that put a feature on the map. */
function mapAttrs(row: FeatureRow, props: PropertyDef[]): string {
  return ` data-id="${esc(row[0])}" data-label="${esc(labelOf(row, props))}"${row[1] ? ` data-geometry="${esc(row[1])}"` : ''}`;
}

/** The map element (hidden until the script shows it), or why there is none. */
function mapBlock(info: CollectionInfo): string {
  if (!info.includeGeometry) return '';
  if (!MAPPABLE.has(info.srsName)) return `<p class="hint">The map is drawn for the CRSs ${[...MAPPABLE].map((c) => `<code>${esc(c)}</code>`).join(', ')}; the positions below are in <code>${esc(info.srsName)}</code>.</p>\n`;
  return `<div id="map" class="feature-map" data-crs="${esc(info.srsName)}" role="region" aria-label="Map of the features on this page" hidden></div>\n`;
}

function frame(ctx: ApiContext, title: string, crumbs: Crumb[], links: ApiLink[]): PageFrame {
  return { config: ctx.config, baseUrl: ctx.baseUrl, root: ctx.root, title, crumbs, links, map: true };
}

const collectionCrumbs = (ctx: ApiContext, c: Collection): Crumb[] => [
  { title: 'Collections', href: withF(`${ctx.root}/collections`, 'html') },
  { title: c.type.title, href: withF(`${ctx.root}/collections/${encodeURIComponent(c.id)}`, 'html') },
];

/** Previous/next page links (HTML pages link HTML pages). */
function pagingNav(links: ApiLink[]): string {
  const prev = links.find((l) => l.rel === 'prev');
  const next = links.find((l) => l.rel === 'next');
  if (!prev && !next) return '';
  return `<nav class="paging" aria-label="Pages">${prev ? a(withF(prev.href, 'html'), '← Previous page', ' rel="prev"') : ''}${next ? a(withF(next.href, 'html'), 'Next page →', ' rel="next"') : ''}</nav>\n`;
}

/** What the page shows of the counts. */
function summary(info: CollectionInfo, offset: number): string {
  if (info.numberReturned === 0) return `<p class="summary" data-returned="0">No feature on this page${offset > 0 ? ` (offset ${offset})` : ''}.</p>\n`;
  const of = typeof info.numberMatched === 'number' ? ` of ${info.numberMatched}` : '';
  return `<p class="summary" data-returned="${info.numberReturned}"${typeof info.numberMatched === 'number' ? ` data-matched="${info.numberMatched}"` : ''}>Features ${offset + 1}–${offset + info.numberReturned}${of} · ${esc(info.timeStamp)}</p>\n`;
}

/**
 * The items page as a FeatureEncoder; `links` is asked for the page's links (self, alternates,
 * next, prev) once the last row has been written, like the GeoJSON encoder.
 */
export function htmlItemsEncoder(ctx: ApiContext, c: Collection, offset: number, links: (lastRow: FeatureRow | undefined) => ApiLink[]): FeatureEncoder {
  return {
    contentType: FORMATS.html.contentType,
    geometryEncoding: 'geojson-crs',
    begin(info) {
      // The alternates do not depend on the last row; next/prev are written at the end.
      const head = pageStart(frame(ctx, `${c.type.title}: items`, [...collectionCrumbs(ctx, c), { title: 'Items' }], links(undefined).filter((l) => l.rel === 'alternate' || l.rel === 'self')));
      const cols = ['id', ...info.properties.map((p) => p.name), ...(info.includeGeometry ? [`${info.type.geometry.name} (${info.srsName === CRS84 ? 'lon, lat' : info.srsName})`] : [])];
      const ths = cols.map((n, i) => `<th scope="col"${i > 0 && i <= info.properties.length && NUMERIC.has(info.properties[i - 1].type) ? ' class="num"' : ''}>${esc(n)}</th>`).join('');
      return `${head}${summary(info, offset)}${mapBlock(info)}<div class="table-wrap"><table class="features" id="features" data-collection="${esc(c.id)}"><thead><tr>${ths}</tr></thead><tbody>\n`;
    },
    feature(row, info) {
      let cells = `<td>${a(itemUrl(ctx.root, c.id, row[0] ?? ''), row[0] ?? '')}</td>`;
      for (let i = 0; i < info.properties.length; i++) {
        const p = info.properties[i];
        cells += `<td${NUMERIC.has(p.type) ? ' class="num"' : p.type === 'dateTime' ? ' class="time"' : ''}>${valueHtml(p, row[i + 2], ctx, c, true)}</td>`;
      }
      if (info.includeGeometry) cells += `<td class="position">${positionText(row[1])}</td>`;
      return `<tr${mapAttrs(row, info.properties)}>${cells}</tr>\n`;
    },
    end(info, lastRow) {
      return `</tbody></table></div>\n${pagingNav(links(lastRow))}${pageEnd({ config: ctx.config, baseUrl: ctx.baseUrl })}`;
    },
  };
}

/** The portal address that opens this feature's station (and dataset), when the portal shows it. */
function portalLink(ctx: ApiContext, c: Collection, row: FeatureRow, props: PropertyDef[]): string | undefined {
  const value = (name: string) => row[props.findIndex((p) => p.name === name) + 2] ?? undefined;
  const id = row[0] ?? '';
  if (c.id === 'stations') return `${ctx.baseUrl}/#station=${encodeURIComponent(id)}`;
  const station = value('stationId');
  if (c.id === 'datasets' && station) return `${ctx.baseUrl}/#station=${encodeURIComponent(station)}&dataset=${encodeURIComponent(id)}`;
  return undefined;
}

/** The HTML page of one feature. */
export function htmlItemPage(ctx: ApiContext, c: Collection, row: FeatureRow, info: CollectionInfo, links: ApiLink[]): string {
  const id = row[0] ?? '';
  const label = labelOf(row, info.properties);
  const rows: [string, string][] = [['id', esc(id)], ...info.properties.map((p, i): [string, string] => [p.name, valueHtml(p, row[i + 2], ctx, c, false)])];
  if (info.includeGeometry) rows.push([`${info.type.geometry.name} (${info.srsName === CRS84 ? 'lon, lat' : info.srsName})`, positionText(row[1])]);
  const portal = portalLink(ctx, c, row, info.properties);
  const nav = [
    `<li>${a(withF(`${ctx.root}/collections/${encodeURIComponent(c.id)}/items`, 'html'), `All ${c.type.title.toLowerCase()}`)}</li>`,
    portal ? `<li>${a(portal, 'Open in the portal', ' class="portal-link"')}</li>` : '',
  ].join('');
  const content = `${mapBlock(info)}<section class="feature"${mapAttrs(row, info.properties)}>\n${propertyTable(rows, 'Properties')}</section>\n<ul class="api-links">${nav}</ul>\n`;
  const f = frame(ctx, label === id ? id : `${label} (${id})`, [...collectionCrumbs(ctx, c), { title: 'Items', href: withF(`${ctx.root}/collections/${encodeURIComponent(c.id)}/items`, 'html') }, { title: id }], links);
  return pageStart(f) + content + pageEnd(f);
}
