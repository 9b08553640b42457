import type { Request, Response } from 'express';
import { OwsError } from '../ows/errors';
import { publicBaseUrl } from './publicUrl';
import type { Config } from '../config/config';

import { escHtml as esc } from '../util/html';

/** 405 for a method an endpoint does not take (PUT/DELETE on /wfs); Allow lists the ones it does. */
export function methodNotAllowed(method: string, allow: string[]): OwsError {
  return new OwsError('OperationNotSupported', 'request', `HTTP method ${method.slice(0, 20)} is not supported here; use ${allow.join(' or ')}`, {
    status: 405,
    headers: { Allow: allow.join(', ') },
  });
}

/** 404 for a path under an OGC endpoint (/wfs/foo): the services answer at /wfs, /sos and /ows only. */
export function unknownServicePath(endpoint: string): OwsError {
  return new OwsError('NotFound', 'path', `No such resource; the ${endpoint.toUpperCase()} endpoint is /${endpoint}`, { status: 404 });
}

/**
 * The answer for a path nothing serves, in the client's language: the portal's 404 page for
 * browsers, JSON otherwise (Express's default is an HTML page naming the path).
 */
export function sendNotFound(req: Request, res: Response, config: Config): void {
  res.status(404);
  // Browsers name text/html in Accept; */* (curl, scripts) gets JSON.
  if (req.accepts(['json', 'html']) === 'html') {
    const base = publicBaseUrl(req, config);
    res.type('html').send(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Not found · ${esc(config.serviceTitle)}</title><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main>
<h1>Page not found</h1>
<p>There is nothing at this address. The <a href="${esc(base)}/">${esc(config.serviceTitle)} portal</a> lists the OGC services and the data sets.</p>
</main>
</body>
</html>
`);
    return;
  }
  res.json({ error: 'not found', status: 404 });
}
