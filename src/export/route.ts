/**
 * GET /datasets/{code}.nc: a dataset as an OceanSITES NetCDF file, written by the export code. NetCDF 3
 * puts the record count in the header, so the file is written to a temporary file first (bounded memory:
 * rows stream from a cursor to disk) and then sent; the file is removed once sent or on failure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config/config';
import type { Store } from '../data/store';
import { contentDisposition, downloadName, periodOf } from '../http/downloadName';
import { OwsError } from '../ows/errors';
import { loadCatalogue } from '../query/catalogue';
import { assertSafeText } from '../util/text';
import { writeDatasetFile } from './exportNetcdf';

export interface NetcdfRouteDeps {
  config: Config;
  store: Store;
  /** The app's one error renderer. */
  sendError: (res: Response, err: unknown) => void;
}

/** The handler of GET /datasets/{code}.nc; unknown dataset → 404 ExceptionReport. */
export function netcdfHandler(deps: NetcdfRouteDeps): RequestHandler {
  return async (req: Request, res: Response) => {
    let dir: string | undefined;
    const cleanup = () => dir && fs.promises.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    try {
      const file = assertSafeText(String(req.params.file ?? ''), 'datasetCode');
      const code = file.endsWith('.nc') ? file.slice(0, -'.nc'.length) : '';
      const info = code ? (await loadCatalogue(deps.store)).datasetByCode.get(code) : undefined;
      if (!info) throw new OwsError('InvalidParameterValue', 'datasetCode', `Unknown dataset "${code || file}" (datasets are served as /datasets/{datasetCode}.nc)`, { status: 404 });
      dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'reefgate-nc-'));
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
      deps.sendError(res, err);
    }
  };
}
