import type { Request } from 'express';
import { OwsError } from '../ows/errors';
import type { OwsRequest } from '../ows/types';
import { assertSafeText } from '../util/text';
import { parseKvp } from './kvp';
import { parseXml } from './xml';

/** Builds the binding-neutral OwsRequest from a GET query string or a POST XML body. */
export function toOwsRequest(req: Request, endpoint: OwsRequest['endpoint'], opts: { maxKvpLength: number; maxXmlDepth: number }): OwsRequest {
  const q = req.originalUrl.indexOf('?');
  const raw = q < 0 ? '' : req.originalUrl.slice(q + 1);
  if (raw.length > opts.maxKvpLength) {
    throw new OwsError('InvalidRequest', 'request', `Query string longer than ${opts.maxKvpLength} characters`, { status: 414 });
  }
  const kvp = parseKvp(raw);
  // Every value may end up as a SQL parameter: one guard for all of them, before any handler runs.
  for (const [k, v] of kvp) assertSafeText(k, 'request'), assertSafeText(v, k);
  if (req.method === 'POST') {
    const body = typeof req.body === 'string' ? req.body : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    if (body.trim() === '') {
      // A POST without a body but with KVP (some clients send forms): treat like GET.
      if (kvp.size) return fromKvp('POST', endpoint, kvp);
      throw new OwsError('InvalidRequest', 'request', 'POST requests need an XML body');
    }
    if (!body.trimStart().startsWith('<')) {
      throw new OwsError('InvalidRequest', 'request', 'POST body is not XML');
    }
    const xml = parseXml(body, { maxDepth: opts.maxXmlDepth });
    return {
      method: 'POST',
      endpoint,
      service: xml.attrs.service,
      request: xml.local,
      version: xml.attrs.version,
      kvp,
      xml,
    };
  }
  return fromKvp('GET', endpoint, kvp);
}

function fromKvp(method: 'GET' | 'POST', endpoint: OwsRequest['endpoint'], kvp: Map<string, string>): OwsRequest {
  return { method, endpoint, service: kvp.get('service'), request: kvp.get('request'), version: kvp.get('version'), kvp };
}
