import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config/config';
import type { Store } from '../data/store';
import { loadCatalogue } from '../query/catalogue';
import { publicBaseUrl } from '../http/publicUrl';
import { OwsError } from '../ows/errors';
import { featureTypes, findFeatureType } from '../catalog/featureTypes';
import { assertSafeText } from '../util/text';
import { answerNotModified, ResourceId, setCacheHeaders, validators } from '../http/caching';
import { collectionRecord, collectionSummary, iso19139Record } from './iso19139';

export interface MetadataRouteDeps {
  config: Config;
  store: Store;
  /** The app's one error renderer. */
  sendError: (res: Response, err: unknown) => void;
}

/** GET /metadata/{datasetCode}.xml: the dataset's ISO 19139 record (or a feature type's collection record); unknown → 404 ExceptionReport. */
export function metadataHandler(deps: MetadataRouteDeps): RequestHandler {
  return async (req: Request, res: Response) => {
    try {
      const file = assertSafeText(String(req.params.file ?? ''), 'datasetCode');
      const code = file.endsWith('.xml') ? file.slice(0, -'.xml'.length) : '';
      if (!code) throw new OwsError('InvalidParameterValue', 'datasetCode', 'Metadata records are served as /metadata/{datasetCode}.xml', { status: 404 });
      const base = publicBaseUrl(req, deps.config);
      const catalogue = await loadCatalogue(deps.store);
      const info = catalogue.datasetByCode.get(code);
      const type = info ? undefined : findFeatureType(featureTypes(deps.config), code);
      if (!info && !type) throw new OwsError('InvalidParameterValue', 'datasetCode', `Unknown dataset "${code}"`, { status: 404 });
      // A dataset's record changes with its own dataset only; a collection record with the catalogue.
      const resource: ResourceId = info ? 'ISO record' : 'ISO collection record';
      const v = validators(resource, { url: req.originalUrl, baseUrl: base }, deps.config, catalogue, [code]);
      if (answerNotModified(req, res, resource, v)) return;
      setCacheHeaders(res, resource, v);
      if (info) {
        res.type('application/xml; charset=utf-8').send(iso19139Record(info, base, deps.config));
        return;
      }
      // A feature type name (Station, Dataset, Observation): the collection record capabilities link to.
      if (!type) return;
      res.type('application/xml; charset=utf-8').send(collectionRecord(type, collectionSummary(catalogue), base, deps.config));
    } catch (err) {
      deps.sendError(res, err);
    }
  };
}
