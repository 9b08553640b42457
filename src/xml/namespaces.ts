/**
 * The one namespace table of every document ReefGate writes (and of the filters it reads): each row is
 * a key, the prefix written and the namespace URI. A key is the prefix itself, with a version suffix
 * where two versions of one family meet in the code (sos / sos10); the prefix written is then the
 * family's usual one. Schema locations that several documents name are kept below, by document.
 */
const TABLE = {
  // OGC web services
  wfs: ['wfs', 'http://www.opengis.net/wfs/2.0'],
  /** WFS 1.1.0 (1.0.0 uses the same URI). */
  wfs11: ['wfs', 'http://www.opengis.net/wfs'],
  ows: ['ows', 'http://www.opengis.net/ows/1.1'],
  /** OWS 1.0 (WFS 1.1.0 capabilities). */
  ows10: ['ows', 'http://www.opengis.net/ows'],
  fes: ['fes', 'http://www.opengis.net/fes/2.0'],
  /** OGC Filter 1.1.0 and 1.0.0. */
  ogc: ['ogc', 'http://www.opengis.net/ogc'],
  sos: ['sos', 'http://www.opengis.net/sos/2.0'],
  sos10: ['sos', 'http://www.opengis.net/sos/1.0'],
  swes: ['swes', 'http://www.opengis.net/swes/2.0'],
  /** 52°North's GetDataAvailability extension. */
  gda: ['gda', 'http://www.opengis.net/sosgda/1.0'],
  // Encodings
  gml: ['gml', 'http://www.opengis.net/gml/3.2'],
  /** GML 3.1.1 (GML 2.1.2 uses the same URI). */
  gml311: ['gml', 'http://www.opengis.net/gml'],
  om: ['om', 'http://www.opengis.net/om/2.0'],
  om10: ['om', 'http://www.opengis.net/om/1.0'],
  swe: ['swe', 'http://www.opengis.net/swe/2.0'],
  swe101: ['swe', 'http://www.opengis.net/swe/1.0.1'],
  sams: ['sams', 'http://www.opengis.net/samplingSpatial/2.0'],
  sf: ['sf', 'http://www.opengis.net/sampling/2.0'],
  sa: ['sa', 'http://www.opengis.net/sampling/1.0'],
  wml2: ['wml2', 'http://www.opengis.net/waterml/2.0'],
  sml20: ['sml', 'http://www.opengis.net/sensorml/2.0'],
  sml101: ['sml', 'http://www.opengis.net/sensorML/1.0.1'],
  // ISO 19139 metadata and THREDDS catalogs
  gmd: ['gmd', 'http://www.isotc211.org/2005/gmd'],
  gco: ['gco', 'http://www.isotc211.org/2005/gco'],
  /** THREDDS InvCatalog 1.0, written as the default namespace. */
  thredds: ['', 'http://www.unidata.ucar.edu/namespaces/thredds/InvCatalog/v1.0'],
  // W3C
  xlink: ['xlink', 'http://www.w3.org/1999/xlink'],
  xsi: ['xsi', 'http://www.w3.org/2001/XMLSchema-instance'],
  xs: ['xs', 'http://www.w3.org/2001/XMLSchema'],
  /** The reserved xml: prefix (xml:lang), bound without declaration. */
  xml: ['xml', 'http://www.w3.org/XML/1998/namespace'],
} as const satisfies Record<string, readonly [string, string]>;

export type NsKey = keyof typeof TABLE;

/** Namespace URIs by key. */
export const NS = Object.fromEntries(Object.entries(TABLE).map(([k, [, uri]]) => [k, uri])) as { readonly [K in NsKey]: (typeof TABLE)[K][1] };

/** The namespace of namespace declarations themselves (for builders that add xmlns:* as namespaced attributes). */
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** The prefix written for a key ('' for a default namespace). */
export function nsPrefix(key: NsKey): string {
  return TABLE[key][0];
}

/** `xmlns:p` attributes declaring the given keys, in order (for the document builder). */
export function xmlnsAttrs(keys: readonly NsKey[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) out[declName(k)] = NS[k];
  return out;
}

/** ` xmlns:p="uri"` text declaring the given keys, in order (for streamed documents' start tags). */
export function xmlnsText(keys: readonly NsKey[]): string {
  return keys.map((k) => ` ${declName(k)}="${NS[k]}"`).join('');
}

function declName(k: NsKey): string {
  const p = nsPrefix(k);
  return p ? `xmlns:${p}` : 'xmlns';
}

const OGC_SCHEMAS = 'http://schemas.opengis.net';

/** Schema locations (xsi:schemaLocation targets) of the documents, by document. */
export const XSD = {
  wfs20: `${OGC_SCHEMAS}/wfs/2.0/wfs.xsd`,
  wfs110: `${OGC_SCHEMAS}/wfs/1.1.0/wfs.xsd`,
  wfs100Basic: `${OGC_SCHEMAS}/wfs/1.0.0/WFS-basic.xsd`,
  wfs100Capabilities: `${OGC_SCHEMAS}/wfs/1.0.0/WFS-capabilities.xsd`,
  gml321: `${OGC_SCHEMAS}/gml/3.2.1/gml.xsd`,
  gml311: `${OGC_SCHEMAS}/gml/3.1.1/base/gml.xsd`,
  gml212: `${OGC_SCHEMAS}/gml/2.1.2/feature.xsd`,
  owsExceptionReport: `${OGC_SCHEMAS}/ows/1.1.0/owsExceptionReport.xsd`,
  sos20: `${OGC_SCHEMAS}/sos/2.0/sos.xsd`,
  sosGetObservation: `${OGC_SCHEMAS}/sos/2.0/sosGetObservation.xsd`,
  sosGetObservationById: `${OGC_SCHEMAS}/sos/2.0/sosGetObservationById.xsd`,
  sosGetFeatureOfInterest: `${OGC_SCHEMAS}/sos/2.0/sosGetFeatureOfInterest.xsd`,
  sos100: `${OGC_SCHEMAS}/sos/1.0.0/sosAll.xsd`,
  swesDescribeSensor: `${OGC_SCHEMAS}/swes/2.0/swesDescribeSensor.xsd`,
  om20: `${OGC_SCHEMAS}/om/2.0/observation.xsd`,
  om100: `${OGC_SCHEMAS}/om/1.0.0/om.xsd`,
  sams20: `${OGC_SCHEMAS}/samplingSpatial/2.0/spatialSamplingFeature.xsd`,
  gmd: `${OGC_SCHEMAS}/iso/19139/20070417/gmd/gmd.xsd`,
} as const;
