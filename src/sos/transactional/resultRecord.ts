import type { XmlElement } from '../../http/xml';
import { invalidParam } from '../../ows/errors';
import { canonicalPropertyUri } from './propertyUri';
import type { AddressedDataset } from './sql';
import { descendants } from './write';

/*
 * The swe:DataRecord of an InsertResultTemplate that holds several measured values, as clients send it
 * for a multi-parameter instrument (52°North sos-importer, OpenSensorHub, istSOS): a swe:Time, then per
 * observed property a swe:Quantity whose definition is its URI, each optionally followed by its quality
 * flag. Each quantity's definition picks one dataset of the sensor the offering addresses
 * (route.ts); InsertResult then splits every block into those datasets.
 */

/** A field that may hold a value's quality flag (the one after a quantity). */
const QC_KINDS = ['Category', 'Count', 'Text', 'Quantity'];

/** A quantity whose definition says it is a quality flag rather than an observed property. */
const QC_DEFINITION = /(qc|qualityFlag|quality_flag)\/?$/i;

/** One measured value of the record: its dataset, and whether the next field is its quality flag. */
export interface RecordValue {
  dataset: AddressedDataset;
  withQc: boolean;
}

/** The record's fields (swe:field children). */
export function recordFields(record: XmlElement | undefined): XmlElement[] {
  return record ? record.children.filter((c) => c.local === 'field') : [];
}

/** The dataset of the sensor (procedure, when given) among `group` whose property is `definition`, if one. */
function datasetOf(group: AddressedDataset[], procedure: string | undefined, definition: string | undefined): AddressedDataset | undefined {
  if (!definition) return undefined;
  const property = canonicalPropertyUri(definition);
  const found = group.filter((d) => (!procedure || d.procedure === procedure) && d.property === property);
  return found.length === 1 ? found[0] : undefined;
}

/**
 * Whether the record holds several values: more than 3 fields, or a third field that is a quantity of
 * another dataset of the sensor. Otherwise it is the single-value record `time, value[, qc]`, read as
 * before (a third swe:Quantity of no dataset is that record's quality flag).
 */
export function holdsSeveralValues(fields: XmlElement[], group: AddressedDataset[], procedure: string | undefined): boolean {
  if (fields.length > 3) return true;
  const third = fields[2]?.children[0];
  return third?.local === 'Quantity' && datasetOf(group, procedure, third.attrs.definition?.trim()) !== undefined;
}

/**
 * The record's values in field order, each with its dataset and unit checked. A quantity whose definition
 * names no dataset of the sensor, a dataset twice, a unit other than the stored one or a field out of place
 * is InvalidParameterValue `resultStructure/field[N]`.
 */
export function recordValues(fields: XmlElement[], group: AddressedDataset[], procedure: string | undefined, offering: string): RecordValue[] {
  const out: RecordValue[] = [];
  let last = -1;
  fields.forEach((f, i) => {
    const comp = f.children[0];
    const at = `resultStructure/field[${i + 1}]`;
    const label = `field ${i + 1} ("${(f.attrs.name ?? '').slice(0, 60)}")`;
    if (i === 0) {
      if (comp?.local !== 'Time') throw invalidParam(at, `${label} must be a swe:Time (the phenomenon time)`);
      return;
    }
    const definition = comp?.attrs.definition?.trim();
    if (comp?.local === 'Quantity' && !(definition && QC_DEFINITION.test(definition))) {
      const d = datasetOf(group, procedure, definition);
      if (!d) {
        throw invalidParam(
          at,
          `${label}: definition "${(definition ?? '').slice(0, 200)}" is no observed property of ${procedure ? `procedure "${procedure}"` : 'the sensor'} reachable through offering "${offering}" (its properties: ${[...new Set(group.map((x) => x.property))].join(', ')})`,
        );
      }
      if (out.some((v) => v.dataset.id === d.id)) throw invalidParam(at, `${label}: observed property "${d.property}" is already in the record`);
      const code = descendants(f, 'uom')[0]?.attrs.code;
      if (code && code !== d.uom) throw invalidParam(at, `${label}: ${d.property} is stored in "${d.uom}", not "${code}"`);
      out.push({ dataset: d, withQc: false });
      last = i;
      return;
    }
    const v = out[out.length - 1];
    if (!comp || !QC_KINDS.includes(comp.local) || !v || v.withQc || last !== i - 1) {
      throw invalidParam(at, `${label} must be a swe:Quantity whose definition is an observed property of the sensor, or the quality flag (swe:Category, Count or Text) right after one`);
    }
    v.withQc = true;
  });
  if (out.length < 2) throw invalidParam('resultStructure', 'resultStructure must hold the time and one swe:Quantity per observed property, each optionally followed by its quality flag');
  return out;
}
