import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SHARED_DIR } from './shared';

/** The offline OGC schemas shared beside the project. */
export const SCHEMAS_DIR = path.join(SHARED_DIR, 'ogc-schemas');
const CATALOG = path.join(SCHEMAS_DIR, 'catalog.xml');
/** Schemas the project vendors itself (THREDDS InvCatalog), with their own XML catalog. */
export const THREDDS_CATALOG_XSD = path.resolve(__dirname, '../../schemas/thredds/InvCatalog.1.0.7.xsd');
const CATALOGS = [CATALOG, path.resolve(__dirname, '../../schemas/thredds/catalog.xml')].join(' ');

/** Entry-point schemas by short name (see ../shared/ogc-schemas/README.md). */
export const SCHEMA = {
  wfs20: 'wfs/2.0/wfs.xsd',
  wfs110: '_libxml2-drivers/wfs-1.1.0.xsd',
  filter110: '_libxml2-drivers/filter-1.1.0.xsd',
  fes20: 'filter/2.0/filterAll.xsd',
  gml321: 'gml/3.2.1/gml.xsd',
  ows11: 'ows/1.1.0/owsAll.xsd',
  sos20: 'sos/2.0/sos.xsd',
  swes20: 'swes/2.0/swes.xsd',
  om20: 'om/2.0/observation.xsd',
  sams20: 'samplingSpatial/2.0/spatialSamplingFeature.xsd',
  swe20: 'sweCommon/2.0/swe.xsd',
  sml20: 'sensorML/2.0/sensorML.xsd',
  sml101: 'sensorML/1.0.1/sensorML.xsd',
  gmd: 'iso/19139/20070417/gmd/gmd.xsd',
} as const;

export interface XmlValidation {
  ok: boolean;
  output: string;
}

let checked = false;
/** Fails loudly when xmllint is missing: schema checks must never be silently skipped. */
function ensureXmllint(): void {
  if (checked) return;
  const r = spawnSync('xmllint', ['--version']);
  if (r.error) throw new Error('xmllint not found: apt-get install libxml2-utils (the CI script installs it)');
  if (!fs.existsSync(CATALOG)) throw new Error(`OGC schemas not found at ${SCHEMAS_DIR}`);
  checked = true;
}

/**
 * Validates an XML document with xmllint against a schema: a SCHEMA key, a path relative to
 * ../shared/ogc-schemas, or an absolute path (e.g. a DescribeFeatureType response saved to disk).
 */
export function validateXml(xml: string, schema: keyof typeof SCHEMA | string): XmlValidation {
  ensureXmllint();
  const rel = (SCHEMA as Record<string, string>)[schema] ?? schema;
  const xsd = path.isAbsolute(rel) ? rel : path.join(SCHEMAS_DIR, rel);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-xml-'));
  const file = path.join(dir, 'doc.xml');
  fs.writeFileSync(file, xml);
  try {
    const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', xsd, file], {
      env: { ...process.env, XML_CATALOG_FILES: CATALOGS },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = (r.stderr || '') + (r.stdout || '');
    return { ok: r.status === 0, output: output.split('\n').filter((l) => !/Skipping import of schema/.test(l) && !/^$/.test(l)).slice(0, 20).join('\n') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Jest-friendly assertion: throws with xmllint's messages and the start of the document. */
export function expectValidXml(xml: string, schema: keyof typeof SCHEMA | string): void {
  const r = validateXml(xml, schema);
  if (!r.ok) throw new Error(`XML not valid against ${schema}:\n${r.output}\n--- document start ---\n${xml.slice(0, 1500)}`);
}

/** True when a command-line tool is installed; CI sets REEFGATE_REQUIRE_TOOLS=1 so a missing tool fails instead of skipping. */
export function hasTool(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  const ok = !r.error;
  if (!ok && process.env.REEFGATE_REQUIRE_TOOLS === '1') throw new Error(`${cmd} is required in CI but not installed`);
  return ok;
}

export { execFileSync };
