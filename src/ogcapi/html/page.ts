/**
 * The frame of every OGC API – Features HTML page: head (the portal bundle's API stylesheet, the
 * map script when the page has a map, `<link rel="alternate">` to the other formats), a breadcrumb
 * from the portal down to the resource, the alternates as plain links, and a footer. Split into a
 * start and an end so the items page can stream its rows between them. Every value goes through
 * escHtml; the page needs no inline script or style (the gateway's CSP forbids them).
 */
import type { Config } from '../../config/config';
import { portalBundle } from '../../portal/bundle';
import { inlineJson } from '../../portal/page';
import { escHtml as esc } from '../../util/html';
import { FORMATS } from '../formats';
import type { Link } from '../links';

/** The bundle is read once per process (retried until it has been built). */
const bundle = portalBundle();

/** One step of the breadcrumb (the last one is the page itself, without a link). */
export interface Crumb {
  title: string;
  href?: string;
}

export interface PageFrame {
  config: Config;
  /** Public base URL of the gateway (the portal is at `${baseUrl}/`). */
  baseUrl: string;
  /** API root. */
  root: string;
  title: string;
  /** Breadcrumb below the API's landing page (collections, a collection, …). */
  crumbs: Crumb[];
  /** The page's own links: `alternate` ones are offered as the other formats. */
  links: Link[];
  /** Draw the page's features on a map (items and item pages). */
  map: boolean;
}

/** The same API URL with `f` set to this value (other parameters kept in order): links between HTML pages stay HTML. */
export function withF(href: string, f: string): string {
  const q = href.indexOf('?');
  const path = q < 0 ? href : href.slice(0, q);
  const rest = q < 0 ? [] : href.slice(q + 1).split('&').filter((p) => p && !/^f=/.test(p));
  return `${path}?${[...rest, `f=${encodeURIComponent(f)}`].join('&')}`;
}

/** An anchor. */
export function a(href: string, text: string, attrs = ''): string {
  return `<a href="${esc(href)}"${attrs}>${esc(text)}</a>`;
}

/** The other formats of this page, from its `alternate` links. */
function alternates(links: Link[]): Link[] {
  return links.filter((l) => l.rel === 'alternate' && l.type !== FORMATS.html.mediaType);
}

/** Short name of a format's media type for a link text. */
function formatName(type: string | undefined): string {
  const f = Object.values(FORMATS).find((x) => x.mediaType === type);
  return f ? f.title : type ?? 'other';
}

/** The URL of the OGC API pages' style sheet, when the portal bundle is built. */
export function apiStylesheet(baseUrl: string): string | undefined {
  const css = bundle()?.manifest.ogcapiCss;
  return css ? `${baseUrl}/portal/assets/${css}` : undefined;
}

/** Everything up to and including the page's heading and its format links. */
export function pageStart(p: PageFrame): string {
  const m = bundle()?.manifest;
  const asset = (name: string) => `${p.baseUrl}/portal/assets/${name}`;
  const alts = alternates(p.links);
  const head = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(p.title)} · ${esc(p.config.serviceTitle)}</title>`,
    `<link rel="icon" type="image/svg+xml" href="${esc(asset('favicon.svg'))}">`,
    m?.ogcapiCss ? `<link rel="stylesheet" href="${esc(asset(m.ogcapiCss))}">` : '',
    ...alts.map((l) => `<link rel="alternate" type="${esc(l.type)}" href="${esc(l.href)}" title="${esc(l.title)}">`),
    p.map ? `<script type="application/json" id="page-settings">${inlineJson({ basemapUrl: p.config.portalBasemapUrl ?? '', landUrl: m?.land ? asset(m.land) : '' })}</script>` : '',
    p.map && m?.ogcapiJs ? `<script defer src="${esc(asset(m.ogcapiJs))}"></script>` : '',
    '</head>',
  ];
  const crumbs: Crumb[] = [{ title: 'Portal', href: `${p.baseUrl}/` }, { title: 'OGC API – Features', href: withF(p.root, 'html') }, ...p.crumbs];
  const trail = crumbs.map((c, i) => (i === crumbs.length - 1 || !c.href ? `<li aria-current="page">${esc(c.title)}</li>` : `<li>${a(c.href, c.title)}</li>`)).join('');
  const body = [
    '<body>',
    `<header class="top api-top"><nav aria-label="Breadcrumb"><ol>${trail}</ol></nav></header>`,
    '<main class="api-main">',
    `<h1>${esc(p.title)}</h1>`,
    alts.length ? `<p class="formats">This page as ${alts.map((l) => a(l.href, formatName(l.type), ` type="${esc(l.type)}" rel="alternate"`)).join(' ')}</p>` : '',
  ];
  return [...head, ...body].filter(Boolean).join('\n') + '\n';
}

/** The end of the page. */
export function pageEnd(p: Pick<PageFrame, 'config' | 'baseUrl'>): string {
  return `</main>
<footer class="api-footer">${esc(p.config.serviceTitle)} · ${a(`${p.baseUrl}/`, 'Portal')} · OGC API – Features</footer>
</body>
</html>
`;
}

/** A whole page around `content`. */
export function htmlPage(p: PageFrame, content: string): string {
  return pageStart(p) + content + pageEnd(p);
}

/** A two-column table of label/value rows (values already HTML). */
export function propertyTable(rows: [string, string][], caption?: string): string {
  const body = rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${v}</td></tr>`).join('\n');
  return `<div class="table-wrap"><table class="properties">${caption ? `<caption class="visually-hidden">${esc(caption)}</caption>` : ''}<tbody>\n${body}\n</tbody></table></div>\n`;
}
