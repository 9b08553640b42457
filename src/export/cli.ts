import type { Config } from '../config/config';
import type { Store } from '../data/store';
import { exportNetcdf } from './exportNetcdf';

/** `reefgate export-netcdf DIR [CODE...]`: writes the files and catalog, reporting on stderr; returns the exit code. */
export async function runExportNetcdf(store: Store, cfg: Config, dir: string, codes: string[]): Promise<number> {
  const t0 = Date.now();
  let records = 0;
  let bytes = 0;
  try {
    const s = await exportNetcdf(store, cfg, dir, {
      datasets: codes.length ? codes : undefined,
      threddsLocation: cfg.threddsDataLocation,
      onFile: (f) => {
        records += f.records;
        bytes += f.bytes;
        process.stderr.write(`${f.file}: ${f.records.toLocaleString('en')} records\n`);
      },
    });
    const secs = (Date.now() - t0) / 1000;
    process.stderr.write(
      `export done in ${secs.toFixed(1)} s: ${s.files.length} files, ${records.toLocaleString('en')} records, ${(bytes / 1e6).toFixed(1)} MB; catalog ${s.catalog}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`export failed: ${(err as Error).message}\n`);
    return 1;
  }
}
