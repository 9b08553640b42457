import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { DEMO_DIR } from '../helpers/env';

/** SOS 2.0 + Spatial Sampling 2.0 driver schema (test-only; see the file's comment). */
export const SOS_SAMS_XSD = path.join(__dirname, 'schemas', 'sos-with-sams.xsd');

/** One imported observation row of demo/observations.csv.gz. */
export interface CsvRow {
  time: string;
  value: string;
  qc: string;
}

let cache: Map<string, CsvRow[]> | undefined;
/** The demo observations as imported, by dataset code, in time order. */
export function demoRows(): Map<string, CsvRow[]> {
  if (cache) return cache;
  const text = zlib.gunzipSync(fs.readFileSync(path.join(DEMO_DIR, 'observations.csv.gz'))).toString('utf8');
  const out = new Map<string, CsvRow[]>();
  for (const line of text.split('\n').slice(1)) {
    if (!line) continue;
    const [ds, time, value, qc] = line.split(',');
    if (!out.has(ds)) out.set(ds, []);
    out.get(ds)!.push({ time, value, qc });
  }
  for (const rows of out.values()) rows.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  cache = out;
  return out;
}

/** Parses XML keeping namespace prefixes, arrays everywhere, attributes under '@_'. */
export function parseXmlDoc(xml: string): Record<string, unknown> {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: () => true }).parse(xml);
}

/** The first ows:Exception's code and locator of an ExceptionReport body. */
export function exceptionOf(xml: string): { code: string; locator: string } {
  const m = /<ows:Exception exceptionCode="([^"]+)" locator="([^"]*)"/.exec(xml);
  if (!m) throw new Error(`Not an ExceptionReport: ${xml.slice(0, 300)}`);
  return { code: m[1], locator: m[2] };
}

/** Number of non-overlapping occurrences of a literal in a text. */
export function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
