import { parseXml } from '../../src/http/xml';
import { OwsError } from '../../src/ows/errors';
import { Filter, SpatialFilter } from '../../src/fes/ast';
import { parseFilter110 } from '../../src/fes/parseFilter110';

const NS = 'xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"';
const ogc = (body: string, version: '1.1.0' | '1.0.0' = '1.1.0'): Filter => parseFilter110(parseXml(`<ogc:Filter ${NS}>${body}</ogc:Filter>`), version);
type Spatial = SpatialFilter;

describe('OGC Filter 1.1.0 / 1.0.0 parser', () => {
  it('comparisons with ogc:PropertyName and ogc:Literal, matchCase (1.1)', () => {
    expect(ogc('<ogc:PropertyIsEqualTo matchCase="false"><ogc:PropertyName>reef:country</ogc:PropertyName><ogc:Literal>ncl</ogc:Literal></ogc:PropertyIsEqualTo>')).toEqual({
      op: 'PropertyIsEqualTo', left: { kind: 'ref', path: 'reef:country' }, right: { kind: 'literal', value: 'ncl' }, matchCase: false, matchAction: 'Any',
    });
    expect(ogc('<ogc:PropertyIsGreaterThanOrEqualTo><ogc:Literal>5</ogc:Literal><ogc:PropertyName>depth</ogc:PropertyName></ogc:PropertyIsGreaterThanOrEqualTo>')).toMatchObject({ op: 'PropertyIsGreaterThanOrEqualTo', left: { kind: 'literal' }, right: { kind: 'ref' } });
  });
  it('PropertyIsLike: escapeChar (1.1, OWSLib sends % and _ as wildcards) and escape (1.0)', () => {
    expect(ogc('<ogc:PropertyIsLike wildCard="%" singleChar="_" escapeChar="\\"><ogc:PropertyName>name</ogc:PropertyName><ogc:Literal>NCL%</ogc:Literal></ogc:PropertyIsLike>')).toEqual({
      op: 'PropertyIsLike', ref: { kind: 'ref', path: 'name' }, pattern: 'NCL%', wildCard: '%', singleChar: '_', escapeChar: '\\', matchCase: true,
    });
    expect(ogc('<ogc:PropertyIsLike wildCard="*" singleChar="." escape="!"><ogc:PropertyName>name</ogc:PropertyName><ogc:Literal>NCL*</ogc:Literal></ogc:PropertyIsLike>', '1.0.0')).toMatchObject({ escapeChar: '!', wildCard: '*', singleChar: '.' });
  });
  it('PropertyIsNull, PropertyIsBetween, And/Or/Not', () => {
    expect(
      ogc('<ogc:And><ogc:Not><ogc:PropertyIsNull><ogc:PropertyName>depth</ogc:PropertyName></ogc:PropertyIsNull></ogc:Not><ogc:Or><ogc:PropertyIsBetween><ogc:PropertyName>depth</ogc:PropertyName><ogc:LowerBoundary><ogc:Literal>5</ogc:Literal></ogc:LowerBoundary><ogc:UpperBoundary><ogc:Literal>10</ogc:Literal></ogc:UpperBoundary></ogc:PropertyIsBetween><ogc:PropertyIsEqualTo><ogc:PropertyName>country</ogc:PropertyName><ogc:Literal>FJI</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Or></ogc:And>'),
    ).toMatchObject({ op: 'And', args: [{ op: 'Not', arg: { op: 'PropertyIsNull' } }, { op: 'Or', args: [{ op: 'PropertyIsBetween', lower: { value: '5' }, upper: { value: '10' } }, { op: 'PropertyIsEqualTo' }] }] });
  });
  it('FeatureId fid= and GmlObjectId gml:id=', () => {
    expect(ogc('<ogc:FeatureId fid="Station.NCL_AMEDEE"/><ogc:FeatureId fid="Station.FJI_SUVA"/>')).toEqual({ op: 'ResourceId', ids: ['Station.NCL_AMEDEE', 'Station.FJI_SUVA'] });
    expect(ogc('<ogc:GmlObjectId gml:id="Station.NCL_AMEDEE"/>')).toEqual({ op: 'ResourceId', ids: ['Station.NCL_AMEDEE'] });
  });
  it('WFS 1.0 BBOX with gml:Box and GML 2 coordinates "x,y x,y" (EPSG:4326 = lon/lat)', () => {
    const f = ogc('<ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Box srsName="EPSG:4326"><gml:coordinates>164,-23 168,-19</gml:coordinates></gml:Box></ogc:BBOX>', '1.0.0') as Spatial;
    expect(f.ref).toEqual({ kind: 'ref', path: 'geom' });
    expect(f.geometry.bbox).toEqual([164, -23, 168, -19]);
    const g = ogc('<ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Box><gml:coord><gml:X>164</gml:X><gml:Y>-23</gml:Y></gml:coord><gml:coord><gml:X>168</gml:X><gml:Y>-19</gml:Y></gml:coord></gml:Box></ogc:BBOX>', '1.0.0') as Spatial;
    expect(g.geometry.bbox).toEqual([164, -23, 168, -19]);
  });
  it('gml:coordinates with custom cs/ts/decimal separators', () => {
    const f = ogc('<ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Box srsName="EPSG:4326"><gml:coordinates cs=" " ts=";" decimal=",">164,5 -23;168 -19,5</gml:coordinates></gml:Box></ogc:BBOX>', '1.0.0') as Spatial;
    expect(f.geometry.bbox).toEqual([164.5, -23, 168, -19.5]);
  });
  it('WFS 1.1 BBOX with a GML 3.1.1 Envelope: urn form is lat/lon, EPSG:4326 lon/lat, no srsName = lat/lon', () => {
    const env = (srs: string, lo: string, hi: string) => (ogc(`<ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Envelope${srs}><gml:lowerCorner>${lo}</gml:lowerCorner><gml:upperCorner>${hi}</gml:upperCorner></gml:Envelope></ogc:BBOX>`) as Spatial).geometry.bbox;
    expect(env(' srsName="urn:ogc:def:crs:EPSG::4326"', '-23 164', '-19 168')).toEqual([164, -23, 168, -19]);
    expect(env(' srsName="EPSG:4326"', '164 -23', '168 -19')).toEqual([164, -23, 168, -19]);
    expect(env('', '-23 164', '-19 168')).toEqual([164, -23, 168, -19]);
  });
  it('GML 2 geometries: Polygon outerBoundaryIs, LineString coordinates, Distance units=', () => {
    const f = ogc('<ogc:Within><ogc:PropertyName>geom</ogc:PropertyName><gml:Polygon srsName="EPSG:4326"><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>160,-25 170,-25 170,-15 160,-15 160,-25</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon></ogc:Within>', '1.0.0') as SpatialFilter;
    expect(f.geometry.geojson).toEqual({ type: 'Polygon', coordinates: [[[160, -25], [170, -25], [170, -15], [160, -15], [160, -25]]] });
    const d = ogc('<ogc:DWithin><ogc:PropertyName>geom</ogc:PropertyName><gml:Point srsName="EPSG:4326"><gml:coordinates>166.45,-22.3</gml:coordinates></gml:Point><ogc:Distance units="km">100</ogc:Distance></ogc:DWithin>', '1.0.0');
    expect(d).toMatchObject({ op: 'DWithin', distance: { value: 100, uom: 'km' }, geometry: { geojson: { type: 'Point', coordinates: [166.45, -22.3] } } });
  });
  it('temporal operators do not exist in Filter 1.1 → OperationParsingFailed', () => {
    try {
      ogc('<ogc:After><ogc:PropertyName>t</ogc:PropertyName><ogc:Literal>2024-01-01</ogc:Literal></ogc:After>');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(OwsError);
      expect((e as OwsError).code).toBe('OperationParsingFailed');
      expect((e as OwsError).locator).toBe('filter');
    }
  });
  it('a fes:Filter is not an OGC filter', () => {
    expect(() => parseFilter110(parseXml('<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"/>'))).toThrow(OwsError);
  });
});
