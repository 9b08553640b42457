import type { Queryable } from '../../data/store';
import { CF_VOCABULARY } from '../../ingest/validate';
import { invalidParam, missingParam } from '../../ows/errors';
import type { SensorDescription } from './sensorDescription';
import { propertiesByCode, propertiesByUri } from './sql';

/*
 * The observed properties an InsertSensor declares (its swes:observableProperty list, one dataset each),
 * resolved against the catalogue: a known one by its vocabulary URI; a new one from the sml:output whose
 * swe:Quantity has that definition (the output's name is the property code, its uom the unit), stored
 * under that URI. Errors name the observableProperty by its position, `observableProperty[2]`, as
 * InsertObservation names `observation[2]`.
 */

/** A property code: it becomes part of dataset codes and of CSV files (letters, digits, _ . -). */
const PROPERTY_CODE = /^[A-Za-z0-9_.-]+$/;

/** A CF standard name (lower case, digits, underscores). */
const STANDARD_NAME = /^[a-z0-9_]+$/;

/** An observed property the sensor observes, known or to be created. */
export interface DeclaredProperty {
  uri: string;
  code: string;
  standardName: string;
  label: string;
  uom: string;
  /** Where the request declared it (`observableProperty[N]`). */
  locator: string;
}

/** The CF standard name of a new property's URI, which must be `<CF vocabulary>NAME/` so that it is stored as given. */
function standardName(uri: string, locator: string): string {
  const name = uri.startsWith(CF_VOCABULARY) && uri.endsWith('/') ? uri.slice(CF_VOCABULARY.length, -1) : '';
  if (!STANDARD_NAME.test(name)) {
    throw invalidParam(locator, `Observed property "${uri.slice(0, 200)}" is new: a new observed property must be a CF standard name URI, ${CF_VOCABULARY}NAME/ (NAME in lower case, with the trailing slash)`);
  }
  return name;
}

/**
 * The request's observable properties in request order (a URI given twice counts once), each with its
 * code and unit; a property whose code cannot be derived, or whose code or unit conflicts, is refused.
 */
export async function declaredProperties(db: Queryable, list: string[], d: SensorDescription): Promise<DeclaredProperty[]> {
  if (!list.length) throw missingParam('observableProperty', 'InsertSensor needs at least one observableProperty');
  const positions: { uri: string; locator: string }[] = [];
  list.forEach((uri, i) => {
    const locator = `observableProperty[${i + 1}]`;
    if (!uri) throw invalidParam(locator, 'An observableProperty is empty: give the observed property URI');
    if (!positions.some((p) => p.uri === uri)) positions.push({ uri, locator });
  });
  const known = new Map((await propertiesByUri(db, positions.map((p) => p.uri))).map((p) => [p.uri, p]));

  const out = positions.map(({ uri, locator }): DeclaredProperty => {
    const k = known.get(uri);
    const output = d.outputs.get(uri);
    if (k) {
      if (output && output.uom !== k.uom) throw invalidParam('procedureDescription', `Observed property "${uri}" is stored in "${k.uom}", not "${output.uom}"`);
      return { uri, code: k.code, standardName: k.standard_name, label: k.label, uom: k.uom, locator };
    }
    const name = standardName(uri, locator);
    if (!output) throw invalidParam(locator, `Observed property "${uri}" is new: the description needs an sml:output whose swe:Quantity has this definition, a name (the property code) and a swe:uom code`);
    if (!PROPERTY_CODE.test(output.code)) throw invalidParam(locator, `Observed property "${uri}" is new and its code cannot be derived: the sml:output name "${output.code.slice(0, 60)}" may hold only letters, digits, _ . -`);
    return { uri, code: output.code, standardName: name, label: output.label, uom: output.uom, locator };
  });

  const fresh = out.filter((p) => !known.has(p.uri));
  const taken = new Map((fresh.length ? await propertiesByCode(db, fresh.map((p) => p.code)) : []).map((p) => [p.code, p.uri]));
  for (const p of fresh) {
    const other = taken.get(p.code);
    if (other) throw invalidParam(p.locator, `Observed property "${p.uri}" is new but its code "${p.code}" (the sml:output name) is that of "${other}": name the output otherwise, or declare "${other}"`);
  }
  out.forEach((p, i) => {
    const first = out.findIndex((q) => q.code === p.code);
    if (first !== i) throw invalidParam(p.locator, `Observed properties "${out[first].uri}" and "${p.uri}" would both have code "${p.code}": one dataset per property needs distinct codes`);
  });
  return out;
}
