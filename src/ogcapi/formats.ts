/**
 * The media types OGC API – Features answers in, as data, and the one negotiation function: a route
 * lists the formats it offers (its first is the default), `f` picks one by name and otherwise the
 * Accept header does. The OpenAPI document and the HTML pages read this same table.
 */
import { OwsError } from '../ows/errors';

export type FormatId = 'json' | 'geojson' | 'schema' | 'csv' | 'html' | 'openapi' | 'openapiHtml' | 'covjson';

export interface Format {
  id: FormatId;
  mediaType: string;
  /** Content-Type sent (media type with its charset). */
  contentType: string;
  /** Values of `f` that choose it on a route offering it (`json` means the route's JSON flavour). */
  fNames: readonly string[];
  title: string;
  /** False while nothing renders it: `f=` naming it is then 406 and Accept negotiation passes over it. */
  served: boolean;
}

/** Every format, by id. */
export const FORMATS: Readonly<Record<FormatId, Format>> = {
  json: { id: 'json', mediaType: 'application/json', contentType: 'application/json; charset=utf-8', fNames: ['json'], title: 'JSON', served: true },
  geojson: { id: 'geojson', mediaType: 'application/geo+json', contentType: 'application/geo+json; charset=utf-8', fNames: ['json', 'geojson'], title: 'GeoJSON', served: true },
  schema: { id: 'schema', mediaType: 'application/schema+json', contentType: 'application/schema+json; charset=utf-8', fNames: ['json'], title: 'JSON Schema', served: true },
  csv: { id: 'csv', mediaType: 'text/csv', contentType: 'text/csv; charset=utf-8', fNames: ['csv'], title: 'CSV', served: true },
  html: { id: 'html', mediaType: 'text/html', contentType: 'text/html; charset=utf-8', fNames: ['html'], title: 'HTML', served: true },
  // The API definition: OpenAPI 3.0 JSON under the media type OGC API – Features /req/oas30 names (GDAL
  // and QGIS look for it), and its HTML page, which openapiHtml.ts renders already.
  openapi: { id: 'openapi', mediaType: 'application/vnd.oai.openapi+json;version=3.0', contentType: 'application/vnd.oai.openapi+json;version=3.0; charset=utf-8', fNames: ['json'], title: 'OpenAPI 3.0 JSON', served: true },
  openapiHtml: { id: 'openapiHtml', mediaType: 'text/html', contentType: 'text/html; charset=utf-8', fNames: ['html'], title: 'HTML', served: true },
  // EDR data (src/ogcapi/edr): EDR clients name it f=CoverageJSON.
  covjson: { id: 'covjson', mediaType: 'application/prs.coverage+json', contentType: 'application/prs.coverage+json; charset=utf-8', fNames: ['json', 'covjson', 'coveragejson'], title: 'CoverageJSON', served: true },
};

/** Formats of a route that can be produced now, in the route's order. */
export function servedFormats(offered: readonly FormatId[]): Format[] {
  return offered.map((id) => FORMATS[id]).filter((f) => f.served);
}

/** One media range of an Accept header with its weight. */
interface Range {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(accept: string): Range[] {
  const out: Range[] = [];
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';').map((s) => s.trim());
    const m = /^([\w.+*-]+)\/([\w.+*-]+)$/.exec(range.toLowerCase());
    if (!m) continue;
    let q = 1;
    for (const p of params) {
      const qm = /^q=([01](?:\.\d{0,3})?)$/i.exec(p);
      if (qm) q = Number(qm[1]);
    }
    out.push({ type: m[1], subtype: m[2], q });
  }
  return out;
}

/** A media type without its parameters (`;version=3.0`), as Accept ranges are matched. */
const essence = (mediaType: string): string => mediaType.split(';')[0].trim();

/** The weight an Accept header gives a media type: its most specific matching range wins (RFC 9110 §12.5.1). */
function weight(ranges: Range[], mediaType: string): number {
  const [type, subtype] = essence(mediaType).split('/');
  let best = -1;
  let specificity = -1;
  for (const r of ranges) {
    const s = r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1;
    if (s > specificity) {
      specificity = s;
      best = r.q;
    }
  }
  return best;
}

/** 406 with the formats the resource has. */
function notAcceptable(what: string, offered: Format[]): OwsError {
  const names = offered.map((f) => `${f.fNames[f.fNames.length - 1]} (${f.mediaType})`).join(', ');
  return new OwsError('InvalidParameterValue', 'f', `${what}; this resource is available as ${names}`, { status: 406 });
}

/**
 * Chooses the response format of a route: `f` when given (a name the route does not serve → 406),
 * else the best of the route's served formats by the Accept header (ties in route order; no Accept or
 * none acceptable but a wildcard → the default; an Accept that excludes them all → 406).
 */
export function negotiate(offered: readonly FormatId[], f: string | undefined, accept: string | undefined): Format {
  const served = servedFormats(offered);
  if (f !== undefined) {
    const name = f.trim().toLowerCase();
    const hit = served.find((fmt) => fmt.fNames.includes(name));
    if (hit) return hit;
    const later = offered.map((id) => FORMATS[id]).find((fmt) => fmt.fNames.includes(name));
    throw notAcceptable(later ? `Format "${name}" is not available yet` : `Unknown format f=${name.slice(0, 40)}`, served);
  }
  if (accept === undefined || accept.trim() === '') return served[0];
  if (accept.length > MAX_REMEMBERED_CHARS) return byAccept(served, accept);
  // Clients send the same few Accept headers on every request: each route's format list remembers its answers.
  let known = chosen.get(offered);
  if (!known) chosen.set(offered, (known = new Map()));
  const hit = known.get(accept);
  if (hit) return hit;
  const best = byAccept(served, accept);
  if (known.size >= MAX_REMEMBERED) known.clear();
  known.set(accept, best);
  return best;
}

/** Remembered Accept headers per route's format list, bounded in number and length (a client inventing headers only clears it). */
const MAX_REMEMBERED = 64;
const MAX_REMEMBERED_CHARS = 512;
const chosen = new WeakMap<readonly FormatId[], Map<string, Format>>();

/** The best of the served formats by an Accept header (ties in route order), or 406. */
function byAccept(served: Format[], accept: string): Format {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return served[0];
  let best: Format | undefined;
  let bestQ = 0;
  for (const fmt of served) {
    // application/json also accepts the JSON flavours (geo+json, schema+json): clients ask for it.
    const q = Math.max(weight(ranges, fmt.mediaType), essence(fmt.mediaType).endsWith('+json') ? weight(ranges, 'application/json') : -1);
    if (q > bestQ) {
      best = fmt;
      bestQ = q;
    }
  }
  if (!best) throw notAcceptable(`None of the media types in Accept (${accept.slice(0, 100)}) is available`, served);
  return best;
}
