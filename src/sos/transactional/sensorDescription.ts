import type { XmlElement } from '../../http/xml';
import { invalidParam } from '../../ows/errors';
import { child, descendants, text } from './write';

/*
 * What InsertSensor reads from a SensorML 2.0 or 1.0.1 description (both are walked by local names, so
 * one reader serves both), mapped to the catalogue: the featureOfInterest is the station, the offering
 * the dataset (with several observed properties, the stem of their datasets' codes: sensorOfferings.ts),
 * the procedure the sensor. Terms and swe:Text fields are recognised by their definition
 * URI's last segment, as 52°North SOS does (docs/sos.md lists them).
 */

export interface SensorDescription {
  /** Procedure identifier (sensor code). */
  procedure: string;
  /** The first offeringID declared. */
  offering?: string;
  featureOfInterest?: string;
  featureName?: string;
  network?: string;
  family?: string;
  processing?: string;
  position?: { lat: number; lon: number; depth: number | null };
  /** Outputs by their observed property URI (swe:Quantity definition): code (output name), label and unit. */
  outputs: Map<string, { code: string; label: string; uom: string }>;
}

/** The definition → value pairs of sml:Term and swe:Text (and swe:Category) elements. */
function terms(root: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  for (const local of ['Term', 'Text', 'Category']) {
    for (const el of descendants(root, local)) {
      const def = el.attrs.definition?.trim();
      const v = text(child(el, 'value'));
      if (def && v && !out.has(def)) out.set(def, v);
    }
  }
  return out;
}

function byDefinition(t: Map<string, string>, re: RegExp): string | undefined {
  for (const [def, v] of t) if (re.test(def)) return v;
  return undefined;
}

/** Latitude, longitude (and depth) from gml:pos ("lat lon", EPSG:4326 order) or a swe:Vector's named coordinates. */
function position(root: XmlElement): SensorDescription['position'] {
  const pos = descendants(root, 'position')[0] ?? descendants(root, 'location')[0];
  if (!pos) return undefined;
  const gmlPos = descendants(pos, 'pos')[0] ?? descendants(pos, 'coordinates')[0];
  const coords = new Map<string, number>();
  for (const c of descendants(pos, 'coordinate')) coords.set((c.attrs.name ?? '').toLowerCase(), Number(text(descendants(c, 'value')[0])));
  let lat: number, lon: number;
  let depth: number | null = null;
  if (coords.size) {
    lat = coords.get('latitude') ?? coords.get('lat') ?? NaN;
    lon = coords.get('longitude') ?? coords.get('lon') ?? NaN;
    depth = coords.get('depth') ?? (coords.has('altitude') ? -coords.get('altitude')! : null);
  } else if (gmlPos && text(gmlPos)) {
    [lat, lon] = text(gmlPos).split(/[\s,]+/).map(Number);
  } else {
    return undefined;
  }
  if (!(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180) || (depth !== null && !Number.isFinite(depth))) {
    throw invalidParam('procedureDescription', 'The sensor position needs a latitude within ±90 and a longitude within ±180 (EPSG:4326)');
  }
  return { lat, lon, depth };
}

/** Each sml:output's swe:Quantity: its definition (observed property URI), name, label and unit code. */
function outputs(root: XmlElement): SensorDescription['outputs'] {
  const out: SensorDescription['outputs'] = new Map();
  for (const o of descendants(root, 'output')) {
    const q = descendants(o, 'Quantity')[0];
    const def = q?.attrs.definition?.trim();
    const uom = child(q, 'uom')?.attrs.code?.trim();
    if (def && uom && o.attrs.name) out.set(def, { code: o.attrs.name.trim(), label: text(child(q, 'label')) || o.attrs.name.trim(), uom });
  }
  return out;
}

/** Reads the description (the procedureDescription's one child element). */
export function readSensorDescription(description: XmlElement): SensorDescription {
  const t = terms(description);
  const procedure = byDefinition(t, /uniqueID$/i) ?? text(child(description, 'identifier'));
  if (!procedure) throw invalidParam('procedureDescription', 'The sensor description names no procedure (gml:identifier, or an identifier Term with definition …uniqueID)');
  return {
    procedure,
    offering: byDefinition(t, /offeringID$/i),
    featureOfInterest: byDefinition(t, /featureOfInterest(ID|\/identifier)?$/i),
    featureName: byDefinition(t, /featureOfInterest\/name$|featureOfInterestName$/i),
    network: byDefinition(t, /network$/i),
    family: byDefinition(t, /(sensorType|instrumentFamily|model)$/i),
    processing: byDefinition(t, /processingLevel$/i),
    position: position(description),
    outputs: outputs(description),
  };
}
