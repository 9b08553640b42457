import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { expectValidXml, SCHEMAS_DIR } from '../helpers/xmllint';

export const NS_URI = 'http://reefgate.org/reef';
export const NAMESPACES = `xmlns(reef,${NS_URI})`;

/**
 * Validates a document against the DescribeFeatureType schema it points to: the DFT response is saved to a
 * temp .xsd and a small wrapper imports it beside the WFS schema (its gml import resolves through the catalog).
 */
export function expectValidAgainstDft(doc: string, dftXsd: string, wfsVersion: '2.0.0' | '1.1.0'): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-dft-'));
  try {
    const app = path.join(dir, 'app.xsd');
    fs.writeFileSync(app, dftXsd);
    const imports =
      wfsVersion === '2.0.0'
        ? [['http://www.opengis.net/wfs/2.0', 'wfs/2.0/wfs.xsd']]
        : [
            ['http://www.opengis.net/gml', 'gml/3.1.1/base/gml.xsd'],
            ['http://www.opengis.net/ogc', 'filter/1.1.0/filterAll.xsd'],
            ['http://www.opengis.net/ows', 'ows/1.0.0/owsAll.xsd'],
            ['http://www.opengis.net/wfs', 'wfs/1.1.0/wfs.xsd'],
          ];
    const wrapper =
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:local:dft-wrapper">` +
      imports.map(([ns, p]) => `<xs:import namespace="${ns}" schemaLocation="${path.join(SCHEMAS_DIR, p)}"/>`).join('') +
      `<xs:import namespace="${NS_URI}" schemaLocation="${app}"/></xs:schema>`;
    const w = path.join(dir, 'wrapper.xsd');
    fs.writeFileSync(w, wrapper);
    expectValidXml(doc, w);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: false, parseTagValue: false, isArray: (name) => ['wfs:member', 'gml:featureMember', 'wfs:FeatureType', 'ows:Operation', 'ows:Constraint', 'ows:Exception', 'wfs:OtherCRS', 'xs:element', 'xs:complexType', 'wfs:StoredQuery', 'wfs:StoredQueryDescription', 'ows:Parameter', 'ows:Value'].includes(name) });

/** Parses XML to plain objects (prefixes kept, attributes as `@name`) for assertions. */
export function parse(xml: string): any {
  return parser.parse(xml);
}

/** The first ows:Exception of an ExceptionReport. */
export function exceptionOf(xml: string): { code: string; locator: string; text: string } {
  const e = parse(xml)['ows:ExceptionReport']['ows:Exception'][0];
  return { code: e['@exceptionCode'], locator: e['@locator'], text: e['ows:ExceptionText'] };
}

/** Reads the demo stations.csv: code → [lon, lat]. */
export function demoStations(): Map<string, [number, number]> {
  const text = fs.readFileSync(path.resolve(__dirname, '../../demo/stations.csv'), 'utf8').trim().split('\n');
  const head = text[0].split(',');
  const out = new Map<string, [number, number]>();
  for (const line of text.slice(1)) {
    const c = line.split(',');
    out.set(c[head.indexOf('station_id')], [Number(c[head.indexOf('lon')]), Number(c[head.indexOf('lat')])]);
  }
  return out;
}
