import type { Store } from '../data/store';
import { invalidParam, missingParam } from '../ows/errors';
import type { Offering } from '../catalog/offerings';
import { loadOfferings } from '../query/catalogue';
import { stationCodesInBox } from '../query/stations';
import type { BoxFilter } from '../query/types';
import { optionalList, SosParams } from './params';
import { parseKvpSpatialFilter, parseXmlSpatialFilter } from './spatial';

/** Identifier filters shared by GetObservation, GetFeatureOfInterest and GetDataAvailability (AND between kinds, OR within). */
export interface OfferingFilter {
  offering?: string[];
  procedure?: string[];
  observedProperty?: string[];
  featureOfInterest?: string[];
  box?: BoxFilter;
}

/** Reads the identifier lists and the spatial filter of a request. */
export function parseOfferingFilter(p: SosParams, names: (keyof OfferingFilter)[] = ['offering', 'procedure', 'observedProperty', 'featureOfInterest']): OfferingFilter {
  const f: OfferingFilter = {};
  for (const n of names) if (n !== 'box') (f[n] as string[] | undefined) = optionalList(p, n);
  const sp = p.xml?.children.find((c) => c.local === 'spatialFilter');
  if (sp) f.box = parseXmlSpatialFilter(sp);
  else {
    const raw = p.xml ? undefined : p.single('spatialFilter');
    if (raw !== undefined) {
      if (raw.trim() === '') throw missingParam('spatialFilter', 'Parameter spatialFilter is empty');
      f.box = parseKvpSpatialFilter(raw);
    }
  }
  return f;
}

/** Whether an observedProperty value names this offering's property (URI, code or CF standard name). */
function propertyMatches(o: Offering, v: string): boolean {
  return v === o.propertyUri || v === o.propertyCode || v === o.standardName;
}

/** Identifier sets of one catalog list, built once per list (every SOS request validates against them). */
interface CatalogIds {
  codes: Set<string>;
  procs: Set<string>;
  stations: Set<string>;
}
const idSets = new WeakMap<Offering[], CatalogIds>();

function catalogIds(catalog: Offering[]): CatalogIds {
  let ids = idSets.get(catalog);
  if (!ids) {
    ids = { codes: new Set(catalog.map((o) => o.code)), procs: new Set(catalog.map((o) => o.procedure)), stations: new Set(catalog.map((o) => o.station)) };
    idSets.set(catalog, ids);
  }
  return ids;
}

/** Validates every identifier against the catalog (unknown → InvalidParameterValue, locator = parameter) and returns the matching offerings. */
export async function selectOfferings(store: Store, f: OfferingFilter, all?: Offering[]): Promise<Offering[]> {
  const catalog = all ?? (await loadOfferings(store));
  const check = (vals: string[] | undefined, name: string, ok: (v: string) => boolean) => {
    for (const v of vals ?? []) if (!ok(v)) throw invalidParam(name, `Unknown ${name} "${v}"`);
  };
  const { codes, procs, stations } = catalogIds(catalog);
  check(f.offering, 'offering', (v) => codes.has(v));
  check(f.procedure, 'procedure', (v) => procs.has(v));
  check(f.featureOfInterest, 'featureOfInterest', (v) => stations.has(v));
  check(f.observedProperty, 'observedProperty', (v) => catalog.some((o) => propertyMatches(o, v)));
  let out = catalog.filter(
    (o) =>
      (!f.offering || f.offering.includes(o.code)) &&
      (!f.procedure || f.procedure.includes(o.procedure)) &&
      (!f.featureOfInterest || f.featureOfInterest.includes(o.station)) &&
      (!f.observedProperty || f.observedProperty.some((v) => propertyMatches(o, v))),
  );
  if (f.box) {
    const inside = await stationCodesInBox(store, f.box);
    out = out.filter((o) => inside.has(o.station));
  }
  return out;
}

/** Vendor quality-flag filter `qualityFlag=1,2` (alias `qc`): only observations with these flags (0-9). */
export function parseQualityFlags(p: SosParams): number[] | undefined {
  const name = p.single('qualityFlag') !== undefined ? 'qualityFlag' : 'qc';
  const raw = p.list(name);
  if (raw === undefined) return undefined;
  if (raw.length === 0) throw invalidParam(name, `Parameter ${name} is empty`);
  return raw.map((s) => {
    if (!/^\d$/.test(s)) throw invalidParam(name, `Quality flags are integers 0-9, got "${s}"`);
    return Number(s);
  });
}
