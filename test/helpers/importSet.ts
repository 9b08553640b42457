import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * Import sets the ingest tests write and send (docs/import.md): the smallest complete one, one station
 * with one sea-temperature dataset and five hourly observations, under names of each test's own (so two
 * tests' data never meet), and a directory holding a set's files.
 */

/** Who the one station is: its code, name, network and producer. */
export interface OneStation {
  station: string;
  name: string;
  network: string;
  producer: string;
}

/**
 * stations.csv, datasets.csv and observations.csv of one station (NCL, -22.3 166.4, 5 m) with one TEMP
 * dataset (raw SBE56, no declared start or end) holding 25.1, 25.2 … 25.5 (flag 1) at 00:00 … 04:00
 * UTC of `day`.
 */
export function oneSeriesSet(s: OneStation, dataset: string, day: string): { STATIONS: string; DATASETS: string; OBS: string } {
  return {
    STATIONS: `station_id,name,network,producer,country,lat,lon,depth_m\n${s.station},${s.name},${s.network},${s.producer},NCL,-22.3,166.4,5\n`,
    DATASETS:
      'dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end\n' +
      `${dataset},${s.station},TEMP,sea_water_temperature,Sea temperature,Cel,RAW DATA,SBE56,,\n`,
    OBS: `dataset_id,time,value,qc\n${[1, 2, 3, 4, 5].map((v, h) => `${dataset},${day}T0${h}:00:00Z,25.${v},1\n`).join('')}`,
  };
}

/** Writes files (name → content) into a new directory under the system's temporary one; returns its path. */
export function writeImportSet(files: Record<string, string | Buffer>, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), body);
  return dir;
}
