import { lookupTable } from '../util/lookup';
import { csvEncoder } from '../encoders/features/csv';
import type { FeatureEncoder } from '../encoders/features/featureEncoder';
import { geojsonEncoder } from '../encoders/features/geojson';
import { gml32Encoder } from '../encoders/features/gml32';
import { gml2Encoder, gml311Encoder } from '../encoders/features/gml311';
import { invalidParam } from '../ows/errors';
import type { WfsVersion } from './version';

export type SchemaFlavour = 'gml32' | 'gml311' | 'gml2';

/** One GetFeature output format: its encoder and the names it answers to. */
interface OutputFormat {
  encoder: FeatureEncoder;
  /** Names clients may send, each with the versions whose capabilities advertise it ([] = accepted only). */
  names: readonly (readonly [name: string, advertisedIn: readonly WfsVersion[]])[];
  /** Versions that answer in this format when OUTPUTFORMAT is absent or the bare text/xml. */
  defaultFor?: readonly WfsVersion[];
  /**
   * GML flavour of the application schema, when DescribeFeatureType answers in this format too;
   * `advertised` false where only WFS 1.0.0 uses it (whose capabilities name no schema formats).
   */
  schema?: { flavour: SchemaFlavour; advertised: boolean };
}

const ALL: readonly WfsVersion[] = ['2.0.0', '1.1.0', '1.0.0'];

/**
 * Every WFS output format, one row each; GetFeature, DescribeFeatureType and all capabilities
 * documents read this table (adding a format is an encoder in src/encoders/features/ and a row here).
 * A version advertises its default format's names first, then the others in row order.
 */
const FORMATS: readonly OutputFormat[] = [
  {
    encoder: gml32Encoder,
    defaultFor: ['2.0.0'],
    schema: { flavour: 'gml32', advertised: true },
    names: [['application/gml+xml; version=3.2', ['2.0.0']], ['text/xml; subtype=gml/3.2', ['2.0.0']], ['application/gml+xml', []], ['text/xml; subtype=gml/3.2.1', []], ['gml32', []]],
  },
  {
    encoder: gml311Encoder,
    defaultFor: ['1.1.0'],
    schema: { flavour: 'gml311', advertised: true },
    names: [['text/xml; subtype=gml/3.1.1', ['2.0.0', '1.1.0']], ['GML3', ['1.0.0']]],
  },
  {
    encoder: gml2Encoder,
    defaultFor: ['1.0.0'],
    schema: { flavour: 'gml2', advertised: false },
    names: [['GML2', ['1.1.0', '1.0.0']], ['text/xml; subtype=gml/2.1.2', []]],
  },
  {
    encoder: geojsonEncoder,
    names: [['application/geo+json', ['2.0.0']], ['application/json', ALL], ['application/vnd.geo+json', []], ['json', []], ['geojson', []]],
  },
  { encoder: csvEncoder, names: [['text/csv', ALL], ['csv', []]] },
];

/** Normalises a media type for comparison: lower case, no blanks or quotes. */
function norm(f: string): string {
  return f.toLowerCase().replace(/["'\s]/g, '');
}

const BY_NAME = lookupTable<OutputFormat>(Object.fromEntries(FORMATS.flatMap((f) => f.names.map(([n]) => [norm(n), f]))));

function defaultFormat(version: WfsVersion): OutputFormat {
  return FORMATS.find((f) => f.defaultFor?.includes(version))!;
}

/** The version's formats, its default first. */
function byPreference(version: WfsVersion): OutputFormat[] {
  const def = defaultFormat(version);
  return [def, ...FORMATS.filter((f) => f !== def)];
}

function advertisedNames(rows: OutputFormat[], version: WfsVersion): string[] {
  return rows.flatMap((f) => f.names.filter(([, vs]) => vs.includes(version)).map(([n]) => n));
}

/** GetFeature output formats a version advertises (first = default). */
export function outputFormats(version: WfsVersion): string[] {
  return advertisedNames(byPreference(version), version);
}

/** DescribeFeatureType output formats a version advertises (first = default). */
export function schemaFormats(version: WfsVersion): string[] {
  return advertisedNames(byPreference(version).filter((f) => f.schema?.advertised), version);
}

/** The encoder for an OUTPUTFORMAT value (the version's GML when absent); unknown → InvalidParameterValue. */
export function encoderFor(outputFormat: string | undefined, version: WfsVersion): FeatureEncoder {
  if (outputFormat === undefined || outputFormat.trim() === '') return defaultFormat(version).encoder;
  const n = norm(outputFormat);
  // "text/xml" alone means the version's own GML.
  if (n === 'text/xml' || n === 'application/xml') return defaultFormat(version).encoder;
  const f = BY_NAME[n];
  if (!f) throw invalidParam('outputFormat', `Output format "${outputFormat}" is not supported; use one of ${outputFormats(version).join(', ')}`);
  return f.encoder;
}

/** GML flavour of a DescribeFeatureType OUTPUTFORMAT (the version's own when absent). */
export function schemaFlavourFor(outputFormat: string | undefined, version: WfsVersion): SchemaFlavour {
  const def = defaultFormat(version).schema!.flavour;
  if (outputFormat === undefined || outputFormat.trim() === '') return def;
  const n = norm(outputFormat);
  if (n === 'text/xml' || n === 'application/xml' || n === 'xmlschema' || n === 'application/xml;subtype=xmlschema') return def;
  const flavour = BY_NAME[n]?.schema?.flavour;
  if (!flavour) throw invalidParam('outputFormat', `DescribeFeatureType output format "${outputFormat}" is not supported`);
  return flavour;
}
