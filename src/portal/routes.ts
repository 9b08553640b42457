import express from 'express';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import { publicBaseUrl } from '../http/publicUrl';
import { landingPage } from '../landing';
import type { ServiceDefinition } from '../ows/types';
import { PORTAL_DIST, portalBundle } from './bundle';
import { renderPortalPage } from './page';

/** The portal at / and its hashed, immutable assets under /portal/assets; the plain landing page if the bundle is not built. */
export function portalRouter(config: Config, services: ServiceDefinition[], dir = PORTAL_DIST()): express.Router {
  const router = express.Router();
  const built = portalBundle(dir);
  router.get('/', (req, res, next) => {
    // A JSON client asking for / (e.g. an OGC API landing page) is left to later routes.
    if (req.accepts(['html', 'json']) === 'json') return next();
    const base = publicBaseUrl(req, config);
    const b = built();
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(b ? renderPortalPage(b.template, b.manifest, base, services, config) : landingPage(base, services, config));
  });
  const assets = path.join(dir, 'assets');
  const cacheForever = 'public, max-age=31536000, immutable';
  router.use('/portal/assets', (req, res, next) => {
    res.setHeader('Vary', 'Accept-Encoding');
    // The build writes a .gz next to each bundle file: send it as is to clients that accept gzip.
    const name = path.basename(req.path);
    const ext = path.extname(name);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !['.js', '.css', '.svg', '.json'].includes(ext) || !req.acceptsEncodings('gzip')) return next();
    const gz = path.join(assets, `${name}.gz`);
    if (!fs.existsSync(gz)) return next();
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Cache-Control', cacheForever);
    res.type(ext);
    res.sendFile(gz, (err) => err && next(err));
  });
  router.use('/portal/assets', express.static(assets, { immutable: true, maxAge: '365d', index: false, fallthrough: true }));
  return router;
}
