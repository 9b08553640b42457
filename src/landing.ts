import type { Config } from './config/config';
import type { ServiceDefinition } from './ows/types';

import { escHtml as esc } from './util/html';

/** The landing page: what this server offers and where its capabilities documents are. */
export function landingPage(base: string, services: ServiceDefinition[], cfg: Pick<Config, 'serviceTitle' | 'serviceAbstract' | 'ogcapiBasePath'>): string {
  const items = services
    .flatMap((s) =>
      s.versions.map((v) => {
        const href = `${base}/${s.name.toLowerCase()}?SERVICE=${s.name}&REQUEST=GetCapabilities&${v.startsWith('2') || s.name === 'SOS' ? 'ACCEPTVERSIONS' : 'VERSION'}=${v}`;
        return `<li><a href="${esc(href)}">${s.name} ${v} GetCapabilities</a></li>`;
      }),
    )
    .join('\n      ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(cfg.serviceTitle)}</title></head>
<body>
  <h1>${esc(cfg.serviceTitle)}</h1>
  <p>${esc(cfg.serviceAbstract)}</p>
  <h2>OGC services</h2>
  <ul>
      ${items}
      <li><a href="${esc(base + cfg.ogcapiBasePath)}">OGC API – Features</a></li>
  </ul>
  <p>Endpoints: <code>${esc(base)}/ows</code> (dispatch on SERVICE), <code>${esc(base)}/wfs</code>, <code>${esc(base)}/sos</code>.</p>
  <p>Health: <a href="${esc(base)}/healthz">/healthz</a>, readiness: <a href="${esc(base)}/readyz">/readyz</a>.</p>
</body></html>
`;
}
