/**
 * The `service-doc` page: the OpenAPI document rendered server-side as one readable HTML page (every
 * operation with its parameters and responses, then every schema), from the same object the JSON
 * answer serialises, so the two cannot differ. No script and no inline style (the gateway's CSP allows
 * neither): the OGC API pages' style sheet when the portal bundle is built, plain HTML otherwise.
 */
import { escHtml } from '../util/html';
import type { OpenApiDocument } from './openapi';

type Obj = Record<string, unknown>;

/** Text with `code` spans and blank-line paragraphs (the Markdown subset the descriptions use). */
function prose(text: unknown): string {
  if (typeof text !== 'string' || !text) return '';
  return text
    .split(/\n\s*\n/)
    .map((p) => `<p>${escHtml(p).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('\n');
}

/** Anchor of a component schema. */
const schemaAnchor = (name: string) => `schema-${name}`;

/** A `$ref` to a component schema as a link; anything else as compact JSON. */
function schemaRef(schema: unknown): string {
  const ref = (schema as Obj | undefined)?.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    const name = ref.slice('#/components/schemas/'.length);
    return `<a href="#${escHtml(schemaAnchor(name))}">${escHtml(name)}</a>`;
  }
  return `<code>${escHtml(JSON.stringify(schema))}</code>`;
}

/** A parameter's schema in a few words: type, format, enum, bounds, default, pattern. */
function schemaSummary(s: Obj): string {
  const parts: string[] = [];
  const items = s.items as Obj | undefined;
  parts.push(`${String(s.type ?? 'any')}${items?.type ? ` of ${String(items.type)}` : ''}${s.format ? ` (${String(s.format)})` : ''}`);
  if (Array.isArray(s.enum)) parts.push(`one of ${s.enum.map((v) => `<code>${escHtml(String(v))}</code>`).join(', ')}`);
  for (const k of ['minimum', 'maximum', 'minItems', 'maxItems']) if (s[k] !== undefined) parts.push(`${k} ${escHtml(String(s[k]))}`);
  if (s.default !== undefined) parts.push(`default <code>${escHtml(String(s.default))}</code>`);
  if (s.pattern !== undefined) parts.push(`pattern <code>${escHtml(String(s.pattern))}</code>`);
  return parts.map((p, i) => (i === 0 ? escHtml(p) : p)).join('; ');
}

function parametersTable(params: Obj[]): string {
  if (params.length === 0) return '<p>No parameters.</p>';
  const rows = params.map(
    (p) =>
      `<tr><td><code>${escHtml(String(p.name))}</code></td><td>${escHtml(String(p.in))}</td><td>${p.required ? 'yes' : 'no'}</td><td>${schemaSummary((p.schema ?? {}) as Obj)}</td><td>${prose(p.description)}</td></tr>`,
  );
  return `<table><thead><tr><th>Parameter</th><th>In</th><th>Required</th><th>Schema</th><th>Description</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** The responses of an operation, `$ref`s to components/responses resolved. */
function responsesTable(responses: Obj, doc: OpenApiDocument): string {
  const rows = Object.entries(responses).map(([status, r]) => {
    let resp = r as Obj;
    const ref = resp.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/responses/')) resp = doc.components.responses[ref.slice('#/components/responses/'.length)] as Obj;
    const content = Object.entries((resp.content ?? {}) as Obj)
      .map(([media, m]) => `<code>${escHtml(media)}</code>: ${schemaRef((m as Obj).schema)}`)
      .join('<br>');
    const headers = Object.keys((resp.headers ?? {}) as Obj)
      .map((h) => `<code>${escHtml(h)}</code>`)
      .join(', ');
    return `<tr><td>${escHtml(status)}</td><td>${prose(resp.description)}</td><td>${content}</td><td>${headers}</td></tr>`;
  });
  return `<table><thead><tr><th>Status</th><th>Description</th><th>Content</th><th>Headers</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** A schema as indented JSON with its `$ref`s as links to the schemas they name. */
function schemaBlock(schema: unknown): string {
  return `<pre>${escHtml(JSON.stringify(schema, null, 2)).replace(/"#\/components\/schemas\/([\w.-]+)"/g, (m, name: string) => `<a href="#${escHtml(schemaAnchor(name))}">${m}</a>`)}</pre>`;
}

const opAnchor = (operationId: string) => `op-${operationId}`;

/** The HTML page of an OpenAPI document; `jsonUrl` is the same document as JSON. */
export function openapiHtml(doc: OpenApiDocument, jsonUrl: string, stylesheet?: string): string {
  const info = doc.info as Obj;
  const ops = Object.entries(doc.paths).flatMap(([p, item]) => Object.entries(item).map(([method, op]) => ({ path: p, method, op: op as Obj })));
  const toc = ops.map(({ path, method, op }) => `<li><a href="#${escHtml(opAnchor(String(op.operationId)))}">${escHtml(method.toUpperCase())} <code>${escHtml(path)}</code></a> – ${escHtml(String(op.summary ?? ''))}</li>`);
  const sections = ops.map(
    ({ path, method, op }) => `<section id="${escHtml(opAnchor(String(op.operationId)))}">
<h2><span class="method">${escHtml(method.toUpperCase())}</span> <code>${escHtml(path)}</code></h2>
<p><strong>${escHtml(String(op.summary ?? ''))}</strong> (operationId <code>${escHtml(String(op.operationId))}</code>)</p>
${prose(op.description)}
<h3>Parameters</h3>
${parametersTable((op.parameters ?? []) as Obj[])}
<h3>Responses</h3>
${responsesTable((op.responses ?? {}) as Obj, doc)}
</section>`,
  );
  const schemas = Object.entries(doc.components.schemas).map(([name, s]) => `<section id="${escHtml(schemaAnchor(name))}"><h3>${escHtml(name)}</h3>\n${schemaBlock(s)}</section>`);
  const servers = doc.servers.map((s) => `<code>${escHtml(s.url)}</code>`).join(', ');
  const title = String(info.title ?? 'API');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escHtml(title)} – API definition</title>
<link rel="alternate" type="application/vnd.oai.openapi+json;version=3.0" href="${escHtml(jsonUrl)}">
${stylesheet ? `<link rel="stylesheet" href="${escHtml(stylesheet)}">` : ''}
</head>
<body class="api-doc">
<header>
<h1>${escHtml(title)} – API definition</h1>
${prose(info.description)}
<p>OpenAPI ${escHtml(doc.openapi)}, API version ${escHtml(String(info.version ?? ''))}. Server: ${servers}. This page as JSON: <a href="${escHtml(jsonUrl)}">${escHtml(jsonUrl)}</a>.</p>
</header>
<nav>
<h2>Operations</h2>
<ul>
${toc.join('\n')}
<li><a href="#schemas">Schemas</a></li>
</ul>
</nav>
<main>
${sections.join('\n')}
<section id="schemas">
<h2>Schemas</h2>
${schemas.join('\n')}
</section>
</main>
</body>
</html>
`;
}
