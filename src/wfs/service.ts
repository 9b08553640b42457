import type { ServiceDefinition } from '../ows/types';
import { getCapabilities } from './capabilities';
import { describeFeatureType } from './describeFeatureType';
import { getFeature } from './getFeature';
import { getPropertyValue } from './getPropertyValue';
import { describeStoredQueries, listStoredQueries } from './storedQueries';
import { NS } from '../xml/namespaces';

/** WFS 2.0.0 / 1.1.0 / 1.0.0. */
export const wfsService: ServiceDefinition = {
  name: 'WFS',
  versions: ['2.0.0', '1.1.0', '1.0.0'],
  xmlNamespaces: [NS.wfs, NS.wfs11],
  operations: {
    GetCapabilities: getCapabilities,
    DescribeFeatureType: describeFeatureType,
    GetFeature: getFeature,
    GetPropertyValue: getPropertyValue,
    ListStoredQueries: listStoredQueries,
    DescribeStoredQueries: describeStoredQueries,
  },
  exceptionVersion: (req) => (req.version?.startsWith('1.') ? '1.1.0' : '2.0.0'),
};
