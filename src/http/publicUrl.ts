import type { Request } from 'express';
import type { Config } from '../config/config';

/** Base URL to advertise: PUBLIC_URL, else X-Forwarded-Proto/Host when the proxy is trusted, else the Host header. */
export function publicBaseUrl(req: Request, cfg: Pick<Config, 'publicUrl' | 'trustProxy'>): string {
  if (cfg.publicUrl) return cfg.publicUrl;
  let proto = req.protocol || 'http';
  let host = req.get('host') ?? 'localhost';
  let prefix = '';
  if (cfg.trustProxy) {
    const fp = first(req.get('x-forwarded-proto'));
    const fh = first(req.get('x-forwarded-host'));
    const fx = first(req.get('x-forwarded-prefix'));
    if (fp && /^https?$/i.test(fp)) proto = fp.toLowerCase();
    if (fh && /^[A-Za-z0-9.:\[\]-]+$/.test(fh)) host = fh;
    if (fx && /^\/[A-Za-z0-9._~\/-]*$/.test(fx)) prefix = fx.replace(/\/+$/, '');
  }
  if (!/^[A-Za-z0-9.:\[\]-]+$/.test(host)) host = 'localhost';
  return `${proto}://${host}${prefix}`;
}

function first(v: string | undefined): string | undefined {
  return v?.split(',')[0]?.trim() || undefined;
}
