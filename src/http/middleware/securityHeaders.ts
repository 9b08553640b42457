import type { RequestHandler } from 'express';

/**
 * Content-Security-Policy for the portal and the landing page: everything from this origin only
 * (the portal bundles its scripts, styles and fonts; no CDN). Images may also come from data:/blob:
 * (canvas exports, OpenLayers icons) and from the extra origins given (a basemap tile server).
 */
export function contentSecurityPolicy(extraImgSrc: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    ["img-src 'self' data: blob:", ...extraImgSrc].join(' '),
    "connect-src 'self'",
    "font-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/** Security headers on every response. Harmless to XML/JSON clients: browsers are the only readers of these. */
export function securityHeaders(extraImgSrc: string[] = []): RequestHandler {
  const csp = contentSecurityPolicy(extraImgSrc);
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    res.setHeader('Content-Security-Policy', csp);
    // Older browsers ignore frame-ancestors.
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
    next();
  };
}
