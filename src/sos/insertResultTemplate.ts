import type { XmlElement } from '../http/xml';
import { invalidParam, missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { xmlRoot, xmlString } from '../xml/document';
import { holdsSeveralValues, recordFields, recordValues } from './transactional/resultRecord';
import { pickDataset } from './transactional/route';
import { AddressedDataset, datasetGroups, insertTemplate } from './transactional/sql';
import { child, descendants, href, mayWriteNetwork, poxRoot, text } from './transactional/write';

/** The record InsertResult blocks follow: a time, the value, optionally a quality flag (docs/sos.md). */
const FIELD_KINDS = [['Time'], ['Quantity'], ['Category', 'Count', 'Quantity', 'Text']];

/**
 * InsertResultTemplate (SOS 2.0 POX): registers how InsertResult will send an offering's values, as
 * SWE text-encoded blocks of `time,value[,qc]`, for one dataset: the offering's, or another of its
 * sensor when the observationTemplate's observedProperty says so (src/sos/transactional/route.ts). One
 * template per dataset; a second one is refused. A record of several quantities (time, TEMP, PSAL…, each
 * optionally with its qc) covers one dataset of the sensor per quantity, picked by its definition
 * (src/sos/transactional/resultRecord.ts). Answers the accepted template id (the proposed
 * swes:identifier, else `<dataset code>/template`, of the first value's dataset).
 */
export async function insertResultTemplate(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const root = poxRoot(req, 'InsertResultTemplate');
  const t = child(child(root, 'proposedTemplate'), 'ResultTemplate');
  if (!t) throw missingParam('proposedTemplate');
  const offering = text(child(t, 'offering'));
  if (!offering) throw missingParam('offering');
  // Uncached (unlike InsertObservation's): the template row references its dataset directly, without the writer's re-check.
  const group = await datasetGroups(ctx.store, [offering]);
  if (!group.length) throw invalidParam('offering', `Offering "${offering}" does not exist`);
  for (const x of group) mayWriteNetwork(ctx, x.network, 'offering', `Offering "${offering}"`);

  const obs = child(child(t, 'observationTemplate'), 'OM_Observation');
  const procedure = href(child(obs, 'procedure'));
  const property = href(child(obs, 'observedProperty'));
  const record = child(child(t, 'resultStructure'), 'DataRecord');
  const fields = recordFields(record);
  // Several values: each quantity's definition picks its dataset (the observationTemplate's observedProperty, one or a composite, does not).
  const values = holdsSeveralValues(fields, group, procedure) ? recordValues(fields, group, procedure, offering) : undefined;
  const single = values ? undefined : pickDataset(new Map<string, AddressedDataset[]>([[offering, group]]), procedure, property, 'observationTemplate');
  const withQc = single ? structure(record, single.uom) === 3 : false;

  const enc = child(child(t, 'resultEncoding'), 'TextEncoding');
  if (!enc) throw invalidParam('resultEncoding', 'resultEncoding must be a swe:TextEncoding');
  const tokenSeparator = enc.attrs.tokenSeparator ?? '';
  const blockSeparator = enc.attrs.blockSeparator ?? '';
  const decimalSeparator = enc.attrs.decimalSeparator ?? '.';
  if (!tokenSeparator || !blockSeparator || tokenSeparator === blockSeparator || [tokenSeparator, blockSeparator].includes(decimalSeparator) || decimalSeparator.length !== 1) {
    throw invalidParam('resultEncoding', 'tokenSeparator, blockSeparator and decimalSeparator must be non-empty and distinct (decimalSeparator one character)');
  }
  const targets = values ?? [{ dataset: single!, withQc }];
  const first = targets[0].dataset;
  const id = text(child(t, 'identifier')) || `${first.code}/template`;
  const stored = await insertTemplate(ctx.store, { id, tokenSeparator, blockSeparator, decimalSeparator }, targets.map((v) => ({ datasetId: v.dataset.id, withQc: v.withQc })));
  if (!stored) {
    const codes = targets.map((v) => `"${v.dataset.code}"`).join(', ');
    throw invalidParam('proposedTemplate', values ? `One of offerings ${codes} already has a result template, or template id "${id}" is taken (one template per offering)` : `Offering "${first.code}" already has a result template, or template id "${id}" is taken (one template per offering)`);
  }
  const res = xmlRoot('sos:InsertResultTemplateResponse', []);
  res.ele('sos:acceptedTemplate').txt(id);
  return xmlResponse(xmlString(res));
}

/** Checks the swe:DataRecord (time, value in the dataset's unit, optional qc); returns its field count. */
function structure(record: XmlElement | undefined, uom: string): number {
  const fields = recordFields(record);
  if (fields.length < 2 || fields.length > 3) throw invalidParam('resultStructure', 'resultStructure must be a swe:DataRecord of 2 or 3 fields: the time (swe:Time), the value (swe:Quantity), optionally the quality flag');
  fields.forEach((f, i) => {
    const comp = f.children[0];
    if (!comp || !FIELD_KINDS[i].includes(comp.local)) throw invalidParam('resultStructure', `field ${i + 1} ("${f.attrs.name ?? ''}") must be a swe:${FIELD_KINDS[i].join(' or swe:')}`);
  });
  const code = descendants(fields[1], 'uom')[0]?.attrs.code;
  if (code && code !== uom) throw invalidParam('resultStructure', `The value is stored in "${uom}", not "${code}"`);
  return fields.length;
}
