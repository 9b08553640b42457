import type { Offering } from '../catalog/offerings';
import { ncnamePart } from '../xml/ncname';
import { XMLBuilder, xmlRoot, xmlString } from '../xml/document';
import { crsName, WGS84_SRID } from '../crs/crs';

/** A procedure (sensor) with the offerings it produces: its station's fields as the offerings carry them, plus its outputs. */
export interface SensorInfo extends Pick<Offering, 'procedure' | 'family' | 'station' | 'stationName' | 'lon' | 'lat' | 'depth'> {
  outputs: { code: string; uri: string; label: string; uom: string }[];
  offerings: string[];
}

/** Gathers a sensor's description from its offerings (all share station and family). */
export function sensorInfo(offerings: Offering[]): SensorInfo {
  const o = offerings[0];
  const outputs = new Map<string, SensorInfo['outputs'][number]>();
  for (const x of offerings) outputs.set(x.propertyCode, { code: x.propertyCode, uri: x.propertyUri, label: x.label, uom: x.uom });
  return {
    procedure: o.procedure,
    family: o.family,
    station: o.station,
    stationName: o.stationName,
    lon: o.lon,
    lat: o.lat,
    depth: o.depth,
    outputs: [...outputs.values()],
    offerings: offerings.map((x) => x.code),
  };
}

function term(parent: XMLBuilder, definition: string, label: string, value: string): void {
  const t = parent.ele('sml:Term', { definition });
  t.ele('sml:label').txt(label);
  t.ele('sml:value').txt(value);
}

function coordinate20(vec: XMLBuilder, name: string, def: string, axis: string, uom: string, value: number): void {
  const q = vec.ele('swe:coordinate', { name }).ele('swe:Quantity', { definition: def, axisID: axis });
  q.ele('swe:uom', { code: uom });
  q.ele('swe:value').txt(String(value));
}

/** SensorML 2.0 sml:PhysicalComponent (standalone: declares its own namespaces). */
export function sensorMl20(s: SensorInfo): string {
  const root = xmlRoot('sml20:PhysicalComponent', ['swe', 'gml', 'xlink'], { 'gml:id': `sensor_${ncnamePart(s.procedure)}` });
  root.ele('gml:description').txt(`${s.family} instrument at ${s.stationName}`);
  root.ele('gml:identifier', { codeSpace: 'uniqueID' }).txt(s.procedure);
  root.ele('gml:name').txt(`${s.family} - ${s.stationName}`);
  const ids = root.ele('sml:identification').ele('sml:IdentifierList');
  term(ids.ele('sml:identifier'), 'http://sensorml.com/ont/swe/property/UniqueID', 'uniqueID', s.procedure);
  term(ids.ele('sml:identifier'), 'http://sensorml.com/ont/swe/property/ShortName', 'shortName', s.family);
  const cls = root.ele('sml:classification').ele('sml:ClassifierList');
  term(cls.ele('sml:classifier'), 'http://sensorml.com/ont/swe/property/SensorType', 'instrument family', s.family);
  term(cls.ele('sml:classifier'), 'http://sensorml.com/ont/swe/property/Platform', 'station', s.station);
  const fl = root.ele('sml:featuresOfInterest').ele('sml:FeatureList', { definition: 'http://www.opengis.net/def/featureOfInterest/identifier' });
  fl.ele('swe:label').txt('featuresOfInterest');
  fl.ele('sml:feature', { 'xlink:href': s.station, 'xlink:title': s.stationName });
  const outs = root.ele('sml:outputs').ele('sml:OutputList');
  for (const o of s.outputs) {
    const q = outs.ele('sml:output', { name: ncnamePart(o.code) }).ele('swe:Quantity', { definition: o.uri });
    q.ele('swe:label').txt(o.label);
    q.ele('swe:uom', { code: o.uom });
  }
  const vec = root.ele('sml:position').ele('swe:Vector', { referenceFrame: crsName.uri(WGS84_SRID) });
  coordinate20(vec, 'lat', 'http://sensorml.com/ont/swe/property/Latitude', 'Lat', 'deg', s.lat);
  coordinate20(vec, 'lon', 'http://sensorml.com/ont/swe/property/Longitude', 'Long', 'deg', s.lon);
  if (s.depth !== null) coordinate20(vec, 'depth', 'http://sensorml.com/ont/swe/property/Depth', 'z', 'm', s.depth);
  return xmlString(root).replace(/^<\?xml[^>]*>/, '');
}

function coordinate101(vec: XMLBuilder, name: string, axis: string, uom: string, value: number): void {
  const q = vec.ele('swe:coordinate', { name }).ele('swe:Quantity', { axisID: axis });
  q.ele('swe:uom', { code: uom });
  q.ele('swe:value').txt(String(value));
}

/** SensorML 1.0.1 sml:SensorML with one sml:System (standalone: declares its own namespaces). */
export function sensorMl101(s: SensorInfo): string {
  const root = xmlRoot('sml101:SensorML', ['swe101', 'gml311', 'xlink'], { version: '1.0.1' });
  const sys = root.ele('sml:member').ele('sml:System', { 'gml:id': `sensor_${ncnamePart(s.procedure)}` });
  sys.ele('gml:description').txt(`${s.family} instrument at ${s.stationName}`);
  sys.ele('gml:name').txt(s.procedure);
  const ids = sys.ele('sml:identification').ele('sml:IdentifierList');
  ids.ele('sml:identifier', { name: 'uniqueID' }).ele('sml:Term', { definition: 'urn:ogc:def:identifier:OGC:1.0:uniqueID' }).ele('sml:value').txt(s.procedure);
  ids.ele('sml:identifier', { name: 'shortName' }).ele('sml:Term', { definition: 'urn:ogc:def:identifier:OGC:1.0:shortName' }).ele('sml:value').txt(s.family);
  const cls = sys.ele('sml:classification').ele('sml:ClassifierList');
  cls.ele('sml:classifier', { name: 'sensorType' }).ele('sml:Term', { definition: 'urn:ogc:def:classifier:OGC:1.0:sensorType' }).ele('sml:value').txt(s.family);
  cls.ele('sml:classifier', { name: 'station' }).ele('sml:Term', { definition: 'urn:ogc:def:classifier:OGC:1.0:platform' }).ele('sml:value').txt(s.station);
  const pos = sys.ele('sml:position', { name: 'sensorPosition' }).ele('swe:Position', { referenceFrame: crsName.urn(WGS84_SRID) });
  const vec = pos.ele('swe:location').ele('swe:Vector', { 'gml:id': 'location' });
  coordinate101(vec, 'latitude', 'y', 'deg', s.lat);
  coordinate101(vec, 'longitude', 'x', 'deg', s.lon);
  if (s.depth !== null) coordinate101(vec, 'depth', 'z', 'm', s.depth);
  const outs = sys.ele('sml:outputs').ele('sml:OutputList');
  for (const o of s.outputs) {
    const q = outs.ele('sml:output', { name: ncnamePart(o.code) }).ele('swe:Quantity', { definition: o.uri });
    q.ele('swe:uom', { code: o.uom });
  }
  return xmlString(root).replace(/^<\?xml[^>]*>/, '');
}
