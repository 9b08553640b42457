import { DEFAULT_CRS, parseCrs } from '../../src/crs/crs';
import { Filter, SpatialFilter } from '../../src/fes/ast';
import { parseBboxKvp, parseFilterKvp, parseResourceIdKvp } from '../../src/fes/kvp';
import { owsErrorOf } from '../helpers/owsError';

type Bbox = SpatialFilter;
const bbox = (v: string, crs = DEFAULT_CRS) => parseBboxKvp(v, crs) as Bbox;
describe('KVP BBOX', () => {
  it('QGIS probe -90,-180,90,180,urn:ogc:def:crs:EPSG::4326 is the whole world in lon/lat', () => {
    const f = bbox('-90,-180,90,180,urn:ogc:def:crs:EPSG::4326');
    expect(f).toMatchObject({ op: 'BBOX', geometry: { srid: 4326, bbox: [-180, -90, 180, 90] } });
    expect(f.ref).toBeUndefined();
  });
  it('OWSLib latmin,lonmin,latmax,lonmax,urn and the http form are lat/lon (R6)', () => {
    expect(bbox('-23,164,-19,168,urn:ogc:def:crs:EPSG::4326').geometry.bbox).toEqual([164, -23, 168, -19]);
    expect(bbox('-23,164,-19,168,http://www.opengis.net/def/crs/EPSG/0/4326').geometry.bbox).toEqual([164, -23, 168, -19]);
  });
  it('EPSG:4326 and CRS:84 are lon/lat; without a CRS the default CRS decides', () => {
    expect(bbox('164,-23,168,-19,EPSG:4326').geometry.bbox).toEqual([164, -23, 168, -19]);
    expect(bbox('164,-23,168,-19,CRS:84').geometry.bbox).toEqual([164, -23, 168, -19]);
    expect(bbox('-23,164,-19,168').geometry.bbox).toEqual([164, -23, 168, -19]);
    expect(bbox('164,-23,168,-19', parseCrs('EPSG:4326')!).geometry.bbox).toEqual([164, -23, 168, -19]);
  });
  it('projected CRSs keep their srid and easting/northing order', () => {
    expect(bbox('400000,200000,500000,300000,urn:ogc:def:crs:EPSG::3163').geometry).toMatchObject({ srid: 3163, bbox: [400000, 200000, 500000, 300000] });
  });
  it('west > east selects across the antimeridian (two boxes)', () => {
    const f = bbox('-20,179,-10,-176,urn:ogc:def:crs:EPSG::4326');
    expect(f.geometry.geojson.type).toBe('MultiPolygon');
    expect(f.geometry.geojson.coordinates).toEqual([
      [[[179, -20], [180, -20], [180, -10], [179, -10], [179, -20]]],
      [[[-180, -20], [-176, -20], [-176, -10], [-180, -10], [-180, -20]]],
    ]);
  });
  it('a box running past 180 (170..190) is split too', () => {
    const f = bbox('170,-20,190,-10,EPSG:4326');
    expect(f.geometry.geojson.type).toBe('MultiPolygon');
    expect((f.geometry.geojson.coordinates as number[][][][])[1][0][1]).toEqual([-170, -20]);
  });
  it.each([
    ['1,2,3', 'too few values'],
    ['1,2,3,4,5,6', 'too many values'],
    ['a,2,3,4', 'not a number'],
    ['NaN,2,3,4', 'NaN'],
    ['Infinity,2,3,4', 'Infinity'],
    ['0x10,2,3,4', 'hex'],
    ['1,2,3,4,EPSG:2193', 'unsupported CRS'],
    ['0,10,1,5,EPSG:4326', 'miny > maxy'],
    ['-95,0,1,1,urn:ogc:def:crs:EPSG::4326', 'latitude out of range'],
    ['1e400,2,3,4', 'overflow'],
    ['500000,200000,400000,300000,EPSG:3163', 'west > east in a projected CRS that cannot wrap'],
  ])('%s → InvalidParameterValue, locator bbox (%s)', (v) => {
    const e = owsErrorOf(() => bbox(v));
    expect(e.code).toBe('InvalidParameterValue');
    expect(e.locator).toBe('bbox');
  });
});

describe('KVP RESOURCEID', () => {
  it('splits and trims the list', () => {
    expect(parseResourceIdKvp('Station.NCL_AMEDEE, Station.FJI_SUVA')).toEqual(['Station.NCL_AMEDEE', 'Station.FJI_SUVA']);
  });
  it('an empty list is InvalidParameterValue with locator resourceId', () => {
    const e = owsErrorOf(() => parseResourceIdKvp(' , '));
    expect([e.code, e.locator]).toEqual(['InvalidParameterValue', 'resourceId']);
  });
});

describe('KVP FILTER', () => {
  it('GDAL form: default fes namespace, gml prefix declared', () => {
    const [f] = parseFilterKvp(
      '<Filter xmlns="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:reef="http://example.org/reef"><BBOX><ValueReference>reef:geom</ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>-23 164</gml:lowerCorner><gml:upperCorner>-19 168</gml:upperCorner></gml:Envelope></BBOX></Filter>',
    );
    expect(f).toMatchObject({ op: 'BBOX', ref: { path: 'reef:geom' }, geometry: { bbox: [164, -23, 168, -19] } });
  });
  it('GDAL form with the gml prefix left undeclared is accepted', () => {
    const [f] = parseFilterKvp('<Filter xmlns="http://www.opengis.net/fes/2.0"><BBOX><ValueReference>geom</ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>-23 164</gml:lowerCorner><gml:upperCorner>-19 168</gml:upperCorner></gml:Envelope></BBOX></Filter>');
    expect(f).toMatchObject({ op: 'BBOX', geometry: { bbox: [164, -23, 168, -19] } });
  });
  it('fes: and gml: prefixes with no declarations at all', () => {
    const [f] = parseFilterKvp('<fes:Filter><fes:PropertyIsEqualTo><fes:ValueReference>name</fes:ValueReference><fes:Literal>x</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>');
    expect(f).toMatchObject({ op: 'PropertyIsEqualTo' });
  });
  it('no namespace at all is read as FES 2.0', () => {
    expect(parseFilterKvp('<Filter><PropertyIsNull><ValueReference>depth</ValueReference></PropertyIsNull></Filter>')).toEqual([{ op: 'PropertyIsNull', ref: { kind: 'ref', path: 'depth' } }]);
  });
  it('QGIS merges BBOX and an expression filter with fes:And', () => {
    const [f] = parseFilterKvp(
      '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:And><fes:BBOX><fes:ValueReference>reef:geom</fes:ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>-90 -180</gml:lowerCorner><gml:upperCorner>90 180</gml:upperCorner></gml:Envelope></fes:BBOX><fes:PropertyIsEqualTo><fes:ValueReference>reef:country</fes:ValueReference><fes:Literal>NCL</fes:Literal></fes:PropertyIsEqualTo></fes:And></fes:Filter>',
    );
    expect(f).toMatchObject({ op: 'And', args: [{ op: 'BBOX', geometry: { bbox: [-180, -90, 180, 90] } }, { op: 'PropertyIsEqualTo', right: { value: 'NCL' } }] });
  });
  it('several filters in parentheses, one per query', () => {
    const fs = parseFilterKvp('(<Filter xmlns="http://www.opengis.net/fes/2.0"><ResourceId rid="Station.A"/></Filter>)(<Filter xmlns="http://www.opengis.net/fes/2.0"><ResourceId rid="Dataset.B"/></Filter>)');
    expect(fs).toEqual([{ op: 'ResourceId', ids: ['Station.A'] }, { op: 'ResourceId', ids: ['Dataset.B'] }]);
  });
  it('OGC Filter 1.1 and 1.0 by namespace and version', () => {
    const [a] = parseFilterKvp('<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc"><ogc:FeatureId fid="Station.A"/></ogc:Filter>', '1.1.0');
    expect(a).toEqual({ op: 'ResourceId', ids: ['Station.A'] });
    const [b] = parseFilterKvp('<ogc:Filter><ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Box><gml:coordinates>164,-23 168,-19</gml:coordinates></gml:Box></ogc:BBOX></ogc:Filter>', '1.0.0');
    expect(b).toMatchObject({ op: 'BBOX', geometry: { bbox: [164, -23, 168, -19] } });
  });
  it.each([
    ['<Filter', 'malformed XML'],
    ['<!DOCTYPE x [<!ENTITY e "x">]><Filter/>', 'DTD'],
    ['<x:Filter/>', 'unknown undeclared prefix'],
    ['(<Filter/>', 'unbalanced parentheses'],
    ['<Other xmlns="http://www.opengis.net/fes/2.0"/>', 'not a Filter'],
  ])('%s → OperationParsingFailed with locator filter (%s)', (text) => {
    const e = owsErrorOf(() => parseFilterKvp(text));
    expect(e.code).toBe('OperationParsingFailed');
    expect(e.locator).toBe('filter');
  });
  it('an empty FILTER is InvalidParameterValue', () => {
    expect(owsErrorOf(() => parseFilterKvp('  ')).code).toBe('InvalidParameterValue');
  });
});
