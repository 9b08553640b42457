import type { ChunkWriter } from '../encoders/chunkWriter';
import { CSV_CONTENT_TYPE, SosCsvEncoder } from '../encoders/series/csv';
import { DownsamplingJsonEncoder, JSON_CONTENT_TYPE, SosJsonEncoder } from '../encoders/series/json';
import { Om10MeasurementEncoder, Om10ObservationEncoder } from '../encoders/series/om10';
import { Om20Encoder, XML_CONTENT_TYPE } from '../encoders/series/om20';
import { Wml2Encoder } from '../encoders/series/wml2';
import { invalidParam, missingParam } from '../ows/errors';
import { NS } from '../xml/namespaces';
import { OM_MEASUREMENT, WML2_TVP_OBSERVATION } from '../encoders/series/identifiers';
import { SML101_FORMAT, SML101_MIME, SML20_FORMAT } from './identifiers';
import type { DocumentSeriesEncoder } from '../encoders/series/document';

export type SosVersion = '2.0.0' | '1.0.0';

/** A format as clients name it: the identifier advertised, then other spellings accepted. */
export interface NamedFormat {
  responseFormat: string;
  aliases?: readonly string[];
}

/** One GetObservation encoding: how it is named and advertised, and how it is written. */
export interface SeriesFormat extends NamedFormat {
  version: SosVersion;
  /** SOS 1.0 result model, where one responseFormat has several encodings. */
  resultModel?: string;
  /** Written when the request names no responseFormat (SOS 1.0: no resultModel). */
  isDefault?: boolean;
  contentType: string;
  /**
   * Bytes one observation adds to the document, for XML documents bounded by SOS_MAX_XML_BYTES (see
   * xmlLimit.ts); absent: the format streams without limit.
   */
  xmlBytesPerObservation?: number;
  /** Observation type advertised in the SOS 2.0 contents. */
  observationType?: string;
  /** Conformance class advertised as an ows:Profile of SOS 2.0. */
  conformance?: string;
  /** Takes the vendor option downsample=N. */
  downsample?: boolean;
  encoder(w: ChunkWriter, options: { downsample?: number }): DocumentSeriesEncoder;
}

const OM10_MIME = 'text/xml;subtype="om/1.0.0"';

/**
 * Every GetObservation response format, one row each; dispatch and both capabilities documents read
 * this table (adding a format is an encoder in src/encoders/series/ and a row here). Order is the
 * capabilities' order. Bytes per observation were measured on the demo network (a whole offering
 * divided by its rows) and rounded up, as they grow with code lengths: O&M 2.0 writes a whole
 * OM_Observation per value (1053 B), WaterML 2.0 one MeasurementTVP (142 B), O&M 1.0 om:Measurement
 * one observation element (436 B), om:Observation one swe:values tuple (30 B).
 */
export const SERIES_FORMATS: readonly SeriesFormat[] = [
  {
    responseFormat: NS.om,
    version: '2.0.0',
    isDefault: true,
    contentType: XML_CONTENT_TYPE,
    xmlBytesPerObservation: 1150,
    observationType: OM_MEASUREMENT,
    conformance: 'http://www.opengis.net/spec/OMXML/2.0/conf/measurement',
    encoder: (w) => new Om20Encoder(w),
  },
  {
    responseFormat: NS.wml2,
    version: '2.0.0',
    contentType: XML_CONTENT_TYPE,
    xmlBytesPerObservation: 160,
    observationType: WML2_TVP_OBSERVATION,
    conformance: 'http://www.opengis.net/spec/waterml/2.0/conf/xsd-measurement-timeseries-tvp-observation',
    encoder: (w) => new Wml2Encoder(w),
  },
  {
    responseFormat: 'application/json',
    aliases: ['json'],
    version: '2.0.0',
    contentType: JSON_CONTENT_TYPE,
    downsample: true,
    encoder: (w, o) => (o.downsample ? new DownsamplingJsonEncoder(w, o.downsample) : new SosJsonEncoder(w)),
  },
  { responseFormat: 'text/csv', aliases: ['csv'], version: '2.0.0', contentType: CSV_CONTENT_TYPE, encoder: (w) => new SosCsvEncoder(w) },
  {
    responseFormat: OM10_MIME,
    resultModel: 'om:Measurement',
    version: '1.0.0',
    contentType: XML_CONTENT_TYPE,
    xmlBytesPerObservation: 480,
    encoder: (w) => new Om10MeasurementEncoder(w),
  },
  {
    responseFormat: OM10_MIME,
    resultModel: 'om:Observation',
    version: '1.0.0',
    isDefault: true,
    contentType: XML_CONTENT_TYPE,
    xmlBytesPerObservation: 40,
    encoder: (w) => new Om10ObservationEncoder(w),
  },
];

/*
 * The other operations' formats: short lists, each read by its operation and by the capabilities.
 * Order is the capabilities' order; the first row is the default.
 */

/** Response formats of GetObservationById (O&M 2.0 only: the document is an O&M 2.0 observation list). */
export const OBSERVATION_BY_ID_FORMATS: readonly NamedFormat[] = [{ responseFormat: NS.om }];

/** Response formats of GetDataAvailability. */
export const DATA_AVAILABILITY_FORMATS: readonly (NamedFormat & { json: boolean })[] = [
  { responseFormat: NS.gda, json: false },
  { responseFormat: 'application/json', aliases: ['json'], json: true },
];

/** procedureDescriptionFormat values of DescribeSensor 2.0 (SensorML 1.0.1 also under its SOS 1.0 spelling). */
export const SENSOR_FORMATS: readonly (NamedFormat & { sml: 'sml20' | 'sml101' })[] = [
  { responseFormat: SML20_FORMAT, sml: 'sml20' },
  { responseFormat: SML101_FORMAT, aliases: [SML101_MIME], sml: 'sml101' },
];

/** The formats of one SOS version, in capabilities order. */
export function seriesFormats(version: SosVersion): SeriesFormat[] {
  return SERIES_FORMATS.filter((f) => f.version === version);
}

/** The responseFormat identifiers of one version, each once, in capabilities order. */
export function responseFormats(version: SosVersion): string[] {
  return [...new Set(seriesFormats(version).map((f) => f.responseFormat))];
}

/** The values of one column that some formats of a version have (observation types, result models...). */
export function formatColumn(version: SosVersion, column: 'resultModel' | 'observationType' | 'conformance'): string[] {
  return [...new Set(seriesFormats(version).flatMap((f) => f[column] ?? []))];
}

/** The default format of a version. */
export function defaultSeriesFormat(version: SosVersion): SeriesFormat {
  return seriesFormats(version).find((f) => f.isDefault)!;
}

/**
 * The first row a responseFormat value names (case and blanks ignored), `fallback` when absent;
 * empty → MissingParameterValue, unknown → InvalidParameterValue listing every accepted spelling.
 */
export function pickFormat<F extends NamedFormat>(raw: string | undefined, rows: readonly F[], fallback?: F): F {
  if (raw === undefined && fallback) return fallback;
  const v = (raw ?? '').trim();
  if (v === '') throw missingParam('responseFormat', 'Parameter responseFormat is empty');
  const wanted = v.toLowerCase().replace(/\s+/g, '');
  const found = rows.find((r) => [r.responseFormat, ...(r.aliases ?? [])].some((n) => n.toLowerCase() === wanted));
  if (found) return found;
  const names = [...new Set(rows.flatMap((r) => [r.responseFormat, ...(r.aliases ?? [])]))];
  throw invalidParam('responseFormat', `Unsupported responseFormat "${v}"; supported: ${names.join(', ')}`);
}

/** The SOS 2.0 format of a responseFormat value (O&M 2.0 when absent). */
export function seriesFormat20(raw: string | undefined): SeriesFormat {
  return pickFormat(raw, seriesFormats('2.0.0'), defaultSeriesFormat('2.0.0'));
}

/** The SOS 1.0 format of a responseFormat and a resultModel (`om:` optional), each defaulting to the default row's. */
export function seriesFormat10(rawFormat: string | undefined, rawModel: string | undefined): SeriesFormat {
  const rows = seriesFormats('1.0.0');
  const def = defaultSeriesFormat('1.0.0');
  const named = pickFormat(rawFormat ?? def.responseFormat, rows);
  const model = (rawModel ?? def.resultModel!).trim();
  const candidates = rows.filter((f) => f.responseFormat === named.responseFormat);
  const f = candidates.find((c) => c.resultModel === model || c.resultModel === `om:${model}`);
  if (f) return f;
  const models = [def, ...candidates.filter((c) => c !== def)].map((c) => c.resultModel);
  throw invalidParam('resultModel', `Unsupported resultModel "${model}"; use ${models.join(' or ')}`);
}
