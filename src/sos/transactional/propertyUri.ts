import { CF_VOCABULARY } from '../../ingest/validate';

/*
 * Observed property URIs as clients write them. The catalogue stores a CF standard name as
 * `http://vocab.nerc.ac.uk/standard_name/NAME/` (src/ingest/writer.ts); clients also send it over https
 * or without the trailing slash, which name the same concept, so those are read as that form. The NERC
 * P07 collection form (`…/collection/P07/current/CFSN0023/`) names it too, but by an identifier that only
 * the NERC vocabulary server maps to the name: ReefGate works offline and cannot.
 */

const CF_VARIANT = /^https?:\/\/vocab\.nerc\.ac\.uk\/standard_name\/([^/?#]+)\/?$/i;
const P07 = /^https?:\/\/vocab\.nerc\.ac\.uk\/collection\/P07\/(current\/)?[^/?#]+\/?$/i;

/** The forms of a CF standard name URI that are accepted, for error messages. */
export const ACCEPTED_FORMS = `${CF_VOCABULARY}NAME/ (http or https, with or without the trailing slash; NAME a CF standard name in lower case)`;

/** A CF standard name URI in the catalogue's form (https and a missing trailing slash undone); any other URI as given. */
export function canonicalPropertyUri(uri: string): string {
  const m = CF_VARIANT.exec(uri);
  return m ? `${CF_VOCABULARY}${m[1]}/` : uri;
}

/** Whether the URI is a NERC P07 collection concept (which cannot be mapped to a CF name offline). */
export function isP07Uri(uri: string): boolean {
  return P07.test(uri);
}
