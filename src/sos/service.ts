import type { OperationHandler, OwsRequest, ServiceDefinition } from '../ows/types';
import { describeSensor, describeSensor10 } from './describeSensor';
import { getCapabilities } from './getCapabilities';
import { getDataAvailability } from './getDataAvailability';
import { getFeatureOfInterest } from './getFeatureOfInterest';
import { getObservation } from './getObservation';
import { getObservationById } from './getObservationById';
import { deleteSensor } from './deleteSensor';
import { insertObservation } from './insertObservation';
import { insertResult } from './insertResult';
import { insertResultTemplate } from './insertResultTemplate';
import { insertSensor } from './insertSensor';
import { NS } from '../xml/namespaces';
import { getObservation10 } from './v1/getObservation';

/** Routes an operation to its 2.0.0 or 1.0.0 implementation by the request's version. */
function byVersion(v20: OperationHandler, v10?: OperationHandler): OperationHandler {
  return (req, ctx) => (req.version?.trim() === '1.0.0' && v10 ? v10(req, ctx) : v20(req, ctx));
}

/** SOS 2.0.0 / 1.0.0. */
export const sosService: ServiceDefinition = {
  name: 'SOS',
  versions: ['2.0.0', '1.0.0'],
  xmlNamespaces: [NS.sos, NS.sos10, NS.swes, NS.gda],
  operations: {
    GetCapabilities: getCapabilities,
    DescribeSensor: byVersion(describeSensor, describeSensor10),
    GetObservation: byVersion(getObservation, getObservation10),
    GetFeatureOfInterest: getFeatureOfInterest,
    GetObservationById: getObservationById,
    GetDataAvailability: getDataAvailability,
    // The transactional profile: API key required (src/security/apiKey.ts); OperationNotSupported while API_KEYS is empty.
    InsertSensor: insertSensor,
    InsertObservation: insertObservation,
    InsertResultTemplate: insertResultTemplate,
    InsertResult: insertResult,
    DeleteSensor: deleteSensor,
  },
  exceptionVersion: (req: OwsRequest) => (req.version === '1.0.0' ? '1.1.0' : '2.0.0'),
};
