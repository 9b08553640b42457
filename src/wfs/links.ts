import type { OwsRequest } from '../ows/types';

/** The endpoint URL the request arrived on (advertised URLs are always built from ctx.baseUrl). */
export function endpointUrl(baseUrl: string, req: OwsRequest): string {
  return `${baseUrl}/${req.endpoint}`;
}

/**
 * The same KVP request with other STARTINDEX/COUNT (absolute next/previous links). Only GET requests
 * get links: a POST body cannot be expressed as a URL without re-serialising it.
 */
export function pageLink(baseUrl: string, req: OwsRequest, startIndex: number, count: number): string | undefined {
  if (req.xml) return undefined;
  const parts: string[] = [];
  for (const [k, v] of req.kvp) {
    if (k === 'startindex' || k === 'count' || k === 'maxfeatures' || k === 'resulttype') continue;
    parts.push(`${encodeURIComponent(k.toUpperCase())}=${encodeURIComponent(v)}`);
  }
  parts.push(`STARTINDEX=${startIndex}`, `COUNT=${count}`);
  return `${endpointUrl(baseUrl, req)}?${parts.join('&')}`;
}

/** DescribeFeatureType URL of one type (xsi:schemaLocation of feature collections). */
export function describeFeatureTypeUrl(baseUrl: string, version: string, prefix: string, namespaceUri: string, typeName: string): string {
  const typeParam = version === '2.0.0' ? 'TYPENAMES' : 'TYPENAME';
  const ns = version === '2.0.0' ? `xmlns(${prefix},${namespaceUri})` : `xmlns(${prefix}=${namespaceUri})`;
  return `${baseUrl}/wfs?SERVICE=WFS&VERSION=${version}&REQUEST=DescribeFeatureType&${typeParam}=${encodeURIComponent(`${prefix}:${typeName}`)}&NAMESPACES=${encodeURIComponent(ns)}`;
}
