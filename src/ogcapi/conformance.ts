/**
 * The conformance classes declared at /conformance, as data: only what is implemented. The OpenAPI,
 * HTML and CQL2 parts add theirs here when they land.
 */
export const CONFORMANCE: readonly string[] = [
  'http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
  // /api: OpenAPI 3.0 generated from the route table (openapi.ts), with its HTML page.
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
  'http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30',
  'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
  // CQL2 (OGC 21-065): what src/cql2 reads; arithmetic, arrays and accent-insensitivity are not declared.
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-json',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2',
  'http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators',
  'http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus',
  'http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions',
  'http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions',
  'http://www.opengis.net/spec/cql2/1.0/conf/property-property',
  // OGC API – EDR 1.1 (OGC 19-086r6), src/ogcapi/edr: the queries position, radius, area, cube,
  // locations and items; data as CoverageJSON and GeoJSON. Not edr-geojson: items are the datasets' own features.
  'http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/core',
  'http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/collections',
  'http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/json',
  'http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/covjson',
  'http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/queries',
];
