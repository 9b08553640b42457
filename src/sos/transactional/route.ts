import { invalidParam } from '../../ows/errors';
import { canonicalPropertyUri } from './propertyUri';
import type { AddressedDataset, TargetDataset } from './sql';

/*
 * Which dataset a write goes to. In ReefGate an offering is one dataset (one observed property), but
 * SOS clients register a multi-parameter instrument with one InsertSensor and then send every property
 * of it to the one assignedOffering (52°North's sos-importer, OpenSensorHub), or to the offeringID they
 * declared. So an offering addresses its sensor's datasets (sql.ts, datasetGroups), and the observation's
 * own procedure and observedProperty pick one of them.
 */

/**
 * The one dataset, among those the offerings address, whose procedure and observed property are the
 * given ones (either may be absent; a CF standard name URI in any accepted form, propertyUri.ts): first
 * among the datasets the offerings name themselves, then among the others they address. None or several
 * → InvalidParameterValue at `locator`.
 */
export function pickDataset(groups: Map<string, AddressedDataset[]>, procedure: string | undefined, given: string | undefined, locator: string): TargetDataset {
  const property = given && canonicalPropertyUri(given);
  const matches = (d: AddressedDataset) => (!procedure || d.procedure === procedure) && (!property || d.property === property);
  const all = new Map<number, AddressedDataset>();
  for (const g of groups.values()) for (const d of g) if (matches(d)) all.set(d.id, d);
  const named = [...all.values()].filter((d) => groups.has(d.code));
  const candidates = named.length ? named : [...all.values()];
  if (candidates.length === 1) return candidates[0];
  throw invalidParam(
    locator,
    candidates.length
      ? 'The observation matches several datasets of the offerings given: name its procedure and observedProperty'
      : `No offering of the request has procedure "${procedure ?? '-'}" and observed property "${given ?? '-'}"`,
  );
}
