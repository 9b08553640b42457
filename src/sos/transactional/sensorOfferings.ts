import type { Queryable } from '../../data/store';
import { invalidParam } from '../../ows/errors';
import type { DeclaredProperty } from './sensorProperties';
import type { SensorDescription } from './sensorDescription';
import { datasetsByCode, sensorDatasets } from './sql';

/*
 * The datasets (offerings) an InsertSensor stands for: one per declared observed property (a dataset
 * is station × property × sensor × processing level, docs/data-model.md). Their codes are derived from
 * the request alone, so that sending the same InsertSensor again names the same datasets.
 */

/** One declared property's dataset: its code, and whether InsertSensor creates it. */
export interface SensorOffering {
  property: DeclaredProperty;
  code: string;
  isNew: boolean;
}

/**
 * A new dataset's code. A sensor of one property: the description's offeringID, else
 * `<procedure>_<property code>`. Of several: `<offeringID>_<property code>`, else
 * `<procedure>_<property code>` (the offeringID cannot name several datasets; it is their stem).
 */
export function offeringCode(d: SensorDescription, p: DeclaredProperty, properties: number): string {
  if (properties === 1 && d.offering) return d.offering;
  return `${d.offering ?? d.procedure}_${p.code}`;
}

/**
 * Each property's dataset, in the properties' order: the sensor's existing dataset of that property and
 * processing level (whatever its code: it is kept as it is), else the one coded offeringCode, which must
 * not be another sensor's or property's.
 */
export async function sensorOfferings(db: Queryable, d: SensorDescription, props: DeclaredProperty[], processing: string): Promise<SensorOffering[]> {
  const mine = await sensorDatasets(db, d.procedure);
  const planned = props.map((p) => {
    const have = mine.find((x) => x.property === p.uri && x.processing === processing);
    return { property: p, code: have?.code ?? offeringCode(d, p, props.length), isNew: !have };
  });
  const fresh = planned.filter((x) => x.isNew);
  const taken = new Map((fresh.length ? await datasetsByCode(db, fresh.map((x) => x.code)) : []).map((t) => [t.code, t]));
  for (const x of fresh) {
    const t = taken.get(x.code);
    if (!t) continue;
    // The same sensor and property under another processing level: kept, as a single-property re-insert always did.
    if (t.procedure === d.procedure && t.property === x.property.uri) x.isNew = false;
    else throw invalidParam('offering', `Offering "${x.code}" already exists for procedure "${t.procedure}" and observed property "${t.property}"`);
  }
  return planned;
}
