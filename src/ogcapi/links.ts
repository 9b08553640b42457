/**
 * URLs of the API: absolute, from the public base URL (PUBLIC_URL, trusted X-Forwarded-*, or the Host
 * header, as every service advertises) and the configured base path.
 */
import type { FormatId } from './formats';
import { FORMATS } from './formats';

/** A link object of the OGC API documents. */
export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
  templated?: boolean;
}

/** The API root: public base URL + OGCAPI_BASE_PATH, no trailing slash. */
export function apiRoot(baseUrl: string, basePath: string): string {
  return `${baseUrl}${basePath}`;
}

/** One path segment, percent-encoded. */
export const seg = (s: string): string => encodeURIComponent(s);

/** A URL with query parameters (in the given order; values encoded). */
export function withQuery(url: string, params: [string, string][]): string {
  if (params.length === 0) return url;
  return `${url}?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

/**
 * The self link in the chosen format and an alternate per other served format: each the same URL
 * (same query) with `f` set to the format's name.
 */
export function selfAndAlternates(url: string, query: [string, string][], formats: FormatId[], chosen: FormatId, title: string): Link[] {
  // The other parameters are encoded once for all the formats (`withQuery` of each would repeat it).
  const rest = withQuery(url, query.filter(([k]) => k !== 'f'));
  const joiner = rest === url ? '?' : '&';
  const out: Link[] = [];
  for (const id of formats) {
    const fmt = FORMATS[id];
    if (!fmt.served) continue;
    out.push({
      href: `${rest}${joiner}f=${encodeURIComponent(fmt.fNames[fmt.fNames.length - 1])}`,
      rel: fmt.id === chosen ? 'self' : 'alternate',
      type: fmt.mediaType,
      title: `${title} as ${fmt.title}`,
    });
  }
  return out;
}
