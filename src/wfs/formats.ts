import { lookupTable } from '../util/lookup';
import { csvEncoder } from '../encoders/features/csv';
import type { FeatureEncoder } from '../encoders/features/featureEncoder';
import { geojsonEncoder } from '../encoders/features/geojson';
import { gml32Encoder } from '../encoders/features/gml32';
import { gml2Encoder, gml311Encoder } from '../encoders/features/gml311';
import { invalidParam } from '../ows/errors';
import type { WfsVersion } from './version';

/** GetFeature output formats advertised per version (first = default). */
export const OUTPUT_FORMATS: Record<WfsVersion, string[]> = {
  '2.0.0': ['application/gml+xml; version=3.2', 'text/xml; subtype=gml/3.2', 'text/xml; subtype=gml/3.1.1', 'application/geo+json', 'application/json', 'text/csv'],
  '1.1.0': ['text/xml; subtype=gml/3.1.1', 'GML2', 'application/json', 'text/csv'],
  '1.0.0': ['GML2', 'GML3', 'application/json', 'text/csv'],
};

const DEFAULT_ENCODER: Record<WfsVersion, FeatureEncoder> = { '2.0.0': gml32Encoder, '1.1.0': gml311Encoder, '1.0.0': gml2Encoder };

/** Normalises a media type for comparison: lower case, no blanks or quotes. */
function norm(f: string): string {
  return f.toLowerCase().replace(/["'\s]/g, '');
}

const BY_NAME = lookupTable<FeatureEncoder>({
  'application/gml+xml;version=3.2': gml32Encoder,
  'application/gml+xml': gml32Encoder,
  'text/xml;subtype=gml/3.2': gml32Encoder,
  'text/xml;subtype=gml/3.2.1': gml32Encoder,
  gml32: gml32Encoder,
  'text/xml;subtype=gml/3.1.1': gml311Encoder,
  gml3: gml311Encoder,
  'text/xml;subtype=gml/2.1.2': gml2Encoder,
  gml2: gml2Encoder,
  'application/geo+json': geojsonEncoder,
  'application/json': geojsonEncoder,
  'application/vnd.geo+json': geojsonEncoder,
  json: geojsonEncoder,
  geojson: geojsonEncoder,
  'text/csv': csvEncoder,
  csv: csvEncoder,
});

/** The encoder for an OUTPUTFORMAT value (the version's GML when absent); unknown → InvalidParameterValue. */
export function encoderFor(outputFormat: string | undefined, version: WfsVersion): FeatureEncoder {
  if (outputFormat === undefined || outputFormat.trim() === '') return DEFAULT_ENCODER[version];
  const n = norm(outputFormat);
  // "text/xml" alone means the version's own GML.
  if (n === 'text/xml' || n === 'application/xml') return DEFAULT_ENCODER[version];
  const e = BY_NAME[n];
  if (!e) throw invalidParam('outputFormat', `Output format "${outputFormat}" is not supported; use one of ${OUTPUT_FORMATS[version].join(', ')}`);
  return e;
}

export type SchemaFlavour = 'gml32' | 'gml311' | 'gml2';

/** GML flavour of a DescribeFeatureType OUTPUTFORMAT (the version's own when absent). */
export function schemaFlavourFor(outputFormat: string | undefined, version: WfsVersion): SchemaFlavour {
  const def: SchemaFlavour = version === '2.0.0' ? 'gml32' : version === '1.1.0' ? 'gml311' : 'gml2';
  if (outputFormat === undefined || outputFormat.trim() === '') return def;
  const n = norm(outputFormat);
  if (n === 'text/xml' || n === 'application/xml' || n === 'xmlschema' || n === 'application/xml;subtype=xmlschema') return def;
  const e = BY_NAME[n];
  if (e === gml32Encoder) return 'gml32';
  if (e === gml311Encoder) return 'gml311';
  if (e === gml2Encoder) return 'gml2';
  throw invalidParam('outputFormat', `DescribeFeatureType output format "${outputFormat}" is not supported`);
}
