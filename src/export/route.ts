/**
 * GET /datasets/{code}.{ext}: a dataset as a file, one row of DATASET_DOWNLOADS per extension.
 * .nc: the OceanSITES NetCDF export. NetCDF 3 puts the record count in the header, so the file is
 * written to a temporary file first (bounded memory: rows stream from a cursor to disk) and then sent;
 * the file is removed once sent or on failure. .csv: the readable CSV (csvDownload.ts), streamed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config/config';
import type { Store } from '../data/store';
import { requestStore } from '../data/requestStore';
import type { Offering } from '../catalog/offerings';
import type { Dataset } from '../catalog/model';
import { offeringOf } from '../catalog/offerings';
import { publicBaseUrl } from '../http/publicUrl';
import { sendOwsResponse } from '../http/send';
import { requestAbortController } from '../http/middleware/requestDeadline';
import type { Logger } from '../log';
import { readableCsvResponse } from './csvDownload';
import { contentDisposition, downloadName, periodOf } from '../http/downloadName';
import { OwsError } from '../ows/errors';
import { loadCatalogue } from '../query/catalogue';
import { assertSafeText } from '../util/text';
import { writeDatasetFile } from './exportNetcdf';

export interface NetcdfRouteDeps {
  config: Config;
  store: Store;
  log: Logger;
  /** The app's one error renderer. */
  sendError: (res: Response, err: unknown) => void;
}

type Download = (deps: NetcdfRouteDeps, req: Request, res: Response, info: Dataset) => Promise<void>;

/** Every file form of a dataset, by extension (adding one = a writer and a row here). */
const DATASET_DOWNLOADS: Readonly<Record<string, Download>> = { nc: sendNetcdf, csv: sendReadableCsv };

/** The handler of GET /datasets/{code}.{nc|csv}; unknown dataset or extension → 404 ExceptionReport. */
export function datasetDownloadHandler(deps: NetcdfRouteDeps): RequestHandler {
  return async (req: Request, res: Response) => {
    try {
      const file = assertSafeText(String(req.params.file ?? ''), 'datasetCode');
      const dot = file.lastIndexOf('.');
      const ext = dot > 0 ? file.slice(dot + 1) : '';
      const send = Object.hasOwn(DATASET_DOWNLOADS, ext) ? DATASET_DOWNLOADS[ext] : undefined;
      const code = send ? file.slice(0, dot) : '';
      const info = code ? (await loadCatalogue(deps.store)).datasetByCode.get(code) : undefined;
      if (!send || !info) {
        throw new OwsError('InvalidParameterValue', 'datasetCode', `Unknown dataset "${code || file}" (datasets are served as /datasets/{datasetCode}.nc or .csv)`, { status: 404 });
      }
      await send(deps, req, res, info);
    } catch (err) {
      if (!res.headersSent) deps.sendError(res, err);
    }
  };
}

/** The readable CSV, streamed (?from=&to=, days or instants). */
async function sendReadableCsv(deps: NetcdfRouteDeps, req: Request, res: Response, info: Dataset): Promise<void> {
  const ac = requestAbortController(res);
  const ctx = { config: deps.config, store: requestStore(deps.store, ac.signal), log: deps.log, baseUrl: publicBaseUrl(req, deps.config), signal: ac.signal };
  const ds: Offering = offeringOf(info);
  await sendOwsResponse(res, readableCsvResponse(ctx, ds, req.query as Record<string, unknown>), ac.signal, deps.log);
}

/** The OceanSITES NetCDF file of the whole dataset, through a temporary file. */
async function sendNetcdf(deps: NetcdfRouteDeps, req: Request, res: Response, info: Dataset): Promise<void> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'reefgate-nc-'));
  const cleanup = () => fs.promises.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  try {
    const ac = new AbortController();
    req.on('close', () => res.writableFinished || ac.abort());
    const created = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const out = await writeDatasetFile(deps.store, deps.config, dir, info, created, { signal: ac.signal });
    const name = downloadName(info.code, periodOf([], { start: info.timeStart, end: info.timeEnd }), 'nc');
    res.setHeader('Content-Disposition', contentDisposition(name));
    res.type('application/x-netcdf');
    res.sendFile(out.file, (err) => {
      void cleanup();
      if (err && !res.headersSent) deps.sendError(res, err);
    });
  } catch (err) {
    void cleanup();
    throw err;
  }
}
