import { invalidParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { xmlRoot, xmlString } from '../xml/document';
import { requireVersion, requiredSingle, sosParams } from './params';
import { sosWrite } from './transactional/write';

/**
 * DeleteSensor (SWES 2.0, POX and KVP `procedure=`): removes the sensor with its datasets (offerings),
 * their observations, corrections and result templates, in one transaction recorded as a run. The
 * offerings leave the capabilities at once; an observation sent to them afterwards is refused
 * (InvalidParameterValue, unknown offering). The station and observed property stay.
 */
export async function deleteSensor(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  requireVersion(req, ['2.0.0']);
  const procedure = requiredSingle(sosParams(req), 'procedure');
  let found = true;
  await sosWrite(ctx, `DeleteSensor ${procedure}`, () => 'procedure', undefined, async (b) => {
    found = (await b.deleteSensor(procedure, 'procedure')) !== null;
  });
  if (!found) throw invalidParam('procedure', `Procedure "${procedure}" does not exist`);
  const res = xmlRoot('swes:DeleteSensorResponse', []);
  res.ele('swes:deletedProcedure').txt(procedure);
  return xmlResponse(xmlString(res));
}
