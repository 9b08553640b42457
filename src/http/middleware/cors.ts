import type { RequestHandler } from 'express';

/**
 * CORS for browser OGC clients (OpenLayers, Leaflet, web portals on other origins).
 * CORS_ORIGIN: '*' (default: any origin, no credentials), a comma list of origins (echoed when they
 * match, with Vary: Origin), or empty (no CORS headers). Preflight OPTIONS is answered with 204 for
 * GET and POST with a Content-Type header (XML POST requests are not "simple" requests), and the
 * headers of writes: Authorization or X-API-Key, Content-Encoding.
 */
export function cors(corsOrigin: string): RequestHandler {
  const spec = corsOrigin.trim();
  const list = spec === '*' ? [] : spec.split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
  const allowOrigin = (origin: string | undefined): string | undefined => {
    if (spec === '*') return '*';
    if (origin && list.includes(origin)) return origin;
    return undefined;
  };
  return (req, res, next) => {
    if (spec === '') return next();
    const origin = req.get('origin');
    const allowed = allowOrigin(origin);
    if (spec !== '*') res.vary('Origin');
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', allowed);
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After, Content-Disposition, Content-Length');
    }
    if (req.method === 'OPTIONS') {
      if (allowed) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, OPTIONS');
        // Writes authenticate with a header and may send gzip bodies (POST /ingest).
        res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Accept, Accept-Language, Authorization, X-API-Key, Content-Encoding');
        res.setHeader('Access-Control-Max-Age', '86400');
      }
      res.setHeader('Allow', 'GET, HEAD, POST, OPTIONS');
      res.status(204).end();
      return;
    }
    next();
  };
}
