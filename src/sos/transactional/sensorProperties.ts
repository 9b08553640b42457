import type { Queryable } from '../../data/store';
import { CF_VOCABULARY } from '../../ingest/validate';
import { invalidParam, missingParam } from '../../ows/errors';
import { ACCEPTED_FORMS, canonicalPropertyUri, isP07Uri } from './propertyUri';
import type { SensorDescription } from './sensorDescription';
import { propertiesByCode, propertiesByUri } from './sql';

/*
 * The observed properties an InsertSensor declares (its swes:observableProperty list, one dataset each),
 * resolved against the catalogue: a known one by its vocabulary URI; a new one from the sml:output whose
 * swe:Quantity has that definition (the output's name is the property code, its uom the unit), stored
 * under that URI. A CF standard name URI may come in any accepted form (propertyUri.ts): it is read, and
 * stored, as `http://vocab.nerc.ac.uk/standard_name/NAME/`. Errors name the observableProperty by its position, `observableProperty[2]`, as
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

/** The CF standard name of a new property's URI (canonical: `<CF vocabulary>NAME/`), stored under that URI. */
function standardName(uri: string, given: string, locator: string): string {
  if (isP07Uri(given)) {
    throw invalidParam(locator, `Observed property "${given.slice(0, 200)}" is new and a NERC P07 collection URI, which ReefGate cannot map to a CF standard name offline: declare it as ${ACCEPTED_FORMS}`);
  }
  const name = uri.startsWith(CF_VOCABULARY) && uri.endsWith('/') ? uri.slice(CF_VOCABULARY.length, -1) : '';
  if (!STANDARD_NAME.test(name)) {
    throw invalidParam(locator, `Observed property "${given.slice(0, 200)}" is new: a new observed property must be a CF standard name URI, ${ACCEPTED_FORMS}`);
  }
  return name;
}

/**
 * The request's observable properties in request order (a URI given twice counts once), each with its
 * code and unit; a property whose code cannot be derived, or whose code or unit conflicts, is refused.
 */
export async function declaredProperties(db: Queryable, list: string[], d: SensorDescription): Promise<DeclaredProperty[]> {
  if (!list.length) throw missingParam('observableProperty', 'InsertSensor needs at least one observableProperty');
  const positions: { uri: string; given: string; locator: string }[] = [];
  list.forEach((given, i) => {
    const locator = `observableProperty[${i + 1}]`;
    if (!given) throw invalidParam(locator, 'An observableProperty is empty: give the observed property URI');
    const uri = canonicalPropertyUri(given);
    if (!positions.some((p) => p.uri === uri)) positions.push({ uri, given, locator });
  });
  const known = new Map((await propertiesByUri(db, positions.map((p) => p.uri))).map((p) => [p.uri, p]));
  // The outputs by their definition in the same form (an output may write the URI otherwise than the list).
  const outputs = new Map([...d.outputs].map(([def, o]) => [canonicalPropertyUri(def), o]));

  const out = positions.map(({ uri, given, locator }): DeclaredProperty => {
    const k = known.get(uri);
    const output = outputs.get(uri);
    if (k) {
      if (output && output.uom !== k.uom) throw invalidParam('procedureDescription', `Observed property "${uri}" is stored in "${k.uom}", not "${output.uom}"`);
      return { uri, code: k.code, standardName: k.standard_name, label: k.label, uom: k.uom, locator };
    }
    const name = standardName(uri, given, locator);
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
