/**
 * The OceanSITES (1.4, CF-1.6) layout of one time series: TIME (unlimited), DEPTH, LATITUDE, LONGITUDE
 * coordinate variables, the measured variable named by its OceanSITES parameter code (TEMP, PSAL...)
 * and its quality-flag variable <CODE>_QC following OceanSITES reference table 2.
 */
import { lookupTable } from '../util/lookup';
import { QC_FLAG_MEANINGS, QC_FLAG_VALUES } from '../catalog/qualityFlags';
import type { Dataset } from '../catalog/model';
import type { NcAttrs, NcLayout } from './netcdf3';
import { crsName, WGS84_SRID } from '../crs/crs';

/** OceanSITES time reference: days since 1950-01-01T00:00:00Z. */
export const TIME_UNITS = 'days since 1950-01-01T00:00:00Z';
const EPOCH_1950_MS = Date.UTC(1950, 0, 1);
/** EPSG:5831, instantaneous water level depth: the DEPTH axis's vertical reference. */
const DEPTH_SRID = 5831;
/** Converts Unix seconds to OceanSITES days. */
export const unixSecondsToDays1950 = (s: number): number => (s * 1000 - EPOCH_1950_MS) / 86_400_000;

/** _FillValue of the measured variable (OceanSITES convention) and of the QC variable. */
export const VALUE_FILL = 99999;
export const QC_FILL = -128;

/** OceanSITES reference table 2 (the qc column's scale), kept with the catalogue; exported here for the file's readers. */
export { QC_FLAG_MEANINGS, QC_FLAG_VALUES };

/** UCUM codes (as stored) to the UDUNITS spellings CF asks for. */
const UCUM_TO_UDUNITS = lookupTable<string>({
  Cel: 'degree_Celsius',
  K: 'K',
  m: 'm',
  cm: 'cm',
  s: 's',
  dbar: 'decibar',
  bar: 'bar',
  Pa: 'Pa',
  hPa: 'hPa',
  deg: 'degree',
  '1': '1',
  '%': 'percent',
  '[psu]': '1',
  'm/s': 'm s-1',
  'm.s-1': 'm s-1',
  'mg/m3': 'mg m-3',
  'mg.m-3': 'mg m-3',
  'umol/kg': 'micromole kg-1',
  'S/m': 'S m-1',
});

/** CF/UDUNITS units for a stored UCUM code (unknown codes pass through unchanged). */
export function cfUnits(ucum: string): string {
  return UCUM_TO_UDUNITS[ucum] ?? ucum;
}

/** A NetCDF variable name for a parameter code (OceanSITES codes are already valid names). */
export function variableName(propertyCode: string): string {
  const n = propertyCode.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(n) ? n : `P_${n}`;
}

/** OceanSITES data_mode from our processing level: R real-time/raw, D delayed-mode (quality controlled). */
export function dataMode(processingLevel: string): 'R' | 'D' {
  return /raw|real.?time/i.test(processingLevel) ? 'R' : 'D';
}

export interface LayoutContext {
  /** ISO instant the file is written. */
  created: string;
  institution: string;
  contactEmail: string;
  publisherUrl: string;
  /** Public links written into `references` (WFS/SOS, ISO record); may be empty. */
  references: string[];
}

/** Builds the header of one dataset's OceanSITES file; record variables are TIME, the value, and its QC. */
export function oceanSitesLayout(d: Dataset, ctx: LayoutContext): NcLayout {
  const v = variableName(d.property.code);
  const depth = d.station.depthM ?? 0;
  const f = (x: number) => ({ type: 'float' as const, values: [x] });
  const dbl = (x: number) => ({ type: 'double' as const, values: [x] });
  const globalAttrs: NcAttrs = {
    data_type: 'OceanSITES time-series data',
    format_version: '1.4',
    Conventions: 'CF-1.6 OceanSITES-1.4 ACDD-1.3',
    netcdf_version: '3.6 (64-bit offset)',
    featureType: 'timeSeries',
    cdm_data_type: 'Station',
    title: `${d.property.label} at ${d.station.name} (${d.sensor.family})`,
    summary: `${d.property.label} (${d.property.standardName}) measured by a ${d.sensor.family} sensor at station ${d.station.name} (${d.station.code}) of the ${d.station.network.name} network; processing level: ${d.processingLevel}.`,
    id: d.code,
    naming_authority: 'OceanSITES',
    platform_code: d.station.code,
    site_code: d.station.code,
    network: d.station.network.name,
    data_mode: dataMode(d.processingLevel),
    processing_level: d.processingLevel,
    institution: d.station.producer ?? ctx.institution,
    source: 'fixed subsurface station',
    keywords_vocabulary: 'CF Standard Name Table',
    keywords: d.property.standardName,
    sensor_model: d.sensor.family,
    sensor_code: d.sensor.code,
    time_coverage_start: d.timeStart ?? '',
    time_coverage_end: d.timeEnd ?? '',
    geospatial_lat_min: dbl(d.station.lat),
    geospatial_lat_max: dbl(d.station.lat),
    geospatial_lat_units: 'degrees_north',
    geospatial_lon_min: dbl(d.station.lon),
    geospatial_lon_max: dbl(d.station.lon),
    geospatial_lon_units: 'degrees_east',
    geospatial_vertical_min: dbl(depth),
    geospatial_vertical_max: dbl(depth),
    geospatial_vertical_positive: 'down',
    geospatial_vertical_units: 'm',
    area: d.station.country ?? '',
    date_created: ctx.created,
    date_update: d.updatedAt,
    data_assembly_center: ctx.institution,
    publisher_name: ctx.institution,
    publisher_email: ctx.contactEmail,
    publisher_url: ctx.publisherUrl,
    references: ctx.references.join(' '),
    license: 'Follows CLIVAR (Climate Variability and Predictability) standards',
    citation: `${ctx.institution}, ${d.station.network.name}: ${d.code}`,
    qc_manual: 'OceanSITES User Manual, reference table 2 (quality flags)',
  };
  return {
    dims: [
      { name: 'TIME', size: 'unlimited' },
      { name: 'DEPTH', size: 1 },
      { name: 'LATITUDE', size: 1 },
      { name: 'LONGITUDE', size: 1 },
    ],
    globalAttrs,
    vars: [
      {
        name: 'LATITUDE',
        type: 'float',
        dims: ['LATITUDE'],
        attrs: { standard_name: 'latitude', long_name: 'Latitude of each location', units: 'degrees_north', axis: 'Y', valid_min: f(-90), valid_max: f(90), reference: 'WGS84', coordinate_reference_frame: crsName.oceansites(WGS84_SRID) },
        data: [d.station.lat],
      },
      {
        name: 'LONGITUDE',
        type: 'float',
        dims: ['LONGITUDE'],
        attrs: { standard_name: 'longitude', long_name: 'Longitude of each location', units: 'degrees_east', axis: 'X', valid_min: f(-180), valid_max: f(180), reference: 'WGS84', coordinate_reference_frame: crsName.oceansites(WGS84_SRID) },
        data: [d.station.lon],
      },
      {
        name: 'DEPTH',
        type: 'float',
        dims: ['DEPTH'],
        attrs: { standard_name: 'depth', long_name: 'Depth of each measurement', units: 'm', positive: 'down', axis: 'Z', reference: 'sea_level', coordinate_reference_frame: crsName.oceansites(DEPTH_SRID) },
        data: [depth],
      },
      {
        name: 'TIME',
        type: 'double',
        dims: ['TIME'],
        attrs: { standard_name: 'time', long_name: 'time', units: TIME_UNITS, calendar: 'gregorian', axis: 'T', valid_min: dbl(0), valid_max: dbl(90000) },
      },
      {
        name: v,
        type: 'float',
        dims: ['TIME', 'DEPTH'],
        attrs: {
          standard_name: d.property.standardName,
          long_name: d.property.label,
          units: cfUnits(d.property.uom),
          _FillValue: f(VALUE_FILL),
          coordinates: 'TIME DEPTH LATITUDE LONGITUDE',
          ancillary_variables: `${v}_QC`,
          sensor_model: d.sensor.family,
          sensor_depth: f(depth),
          vocabulary: d.property.vocabularyUri,
        },
      },
      {
        name: `${v}_QC`,
        type: 'byte',
        dims: ['TIME', 'DEPTH'],
        attrs: {
          long_name: `quality flag of ${d.property.label}`,
          conventions: 'OceanSITES reference table 2',
          _FillValue: { type: 'byte', values: [QC_FILL] },
          valid_min: { type: 'byte', values: [0] },
          valid_max: { type: 'byte', values: [9] },
          flag_values: { type: 'byte', values: QC_FLAG_VALUES },
          flag_meanings: QC_FLAG_MEANINGS.join(' '),
        },
      },
    ],
  };
}
