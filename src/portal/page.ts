import type { Config } from '../config/config';
import type { ServiceDefinition } from '../ows/types';
import { escHtml as esc } from '../util/html';
import type { PortalManifest } from './bundle';

/** One GetCapabilities link per service version, as the landing page listed them. */
export function capabilitiesLinks(base: string, services: ServiceDefinition[]): { label: string; href: string }[] {
  return services.flatMap((s) =>
    s.versions.map((v) => ({
      label: `${s.name} ${v} GetCapabilities`,
      href: `${base}/${s.name.toLowerCase()}?SERVICE=${s.name}&REQUEST=GetCapabilities&${v.startsWith('2') || s.name === 'SOS' ? 'ACCEPTVERSIONS' : 'VERSION'}=${v}`,
    })),
  );
}

/** JSON for an inline <script type="application/json">: "<" is escaped so no value can close the element. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Fills the portal/index.html template: bundle names, settings for the browser, the OGC service list. */
export function renderPortalPage(template: string, manifest: PortalManifest, base: string, services: ServiceDefinition[], cfg: Pick<Config, 'serviceTitle' | 'serviceAbstract' | 'portalBasemapUrl' | 'ogcapiBasePath'>): string {
  const items = [...capabilitiesLinks(base, services), { label: 'OGC API – Features', href: `${base}${cfg.ogcapiBasePath}` }]
    .map((l) => `<li><a href="${esc(l.href)}">${esc(l.label)}</a></li>`)
    .join('\n    ');
  const settings = { baseUrl: base, ogcapiPath: cfg.ogcapiBasePath, basemapUrl: cfg.portalBasemapUrl ?? '', landAsset: manifest.land ?? '' };
  const values: Record<string, string> = {
    TITLE: esc(cfg.serviceTitle),
    ABSTRACT: esc(cfg.serviceAbstract),
    BASE: esc(base),
    SERVICES: items,
    SETTINGS: inlineJson(settings),
    JS: esc(`${base}/portal/assets/${manifest.js}`),
    CSS: esc(`${base}/portal/assets/${manifest.css}`),
  };
  // One pass, so a substituted value is never scanned again for placeholders.
  return template.replace(/\{\{([A-Z]+)\}\}/g, (m, key: string) => values[key] ?? m);
}
