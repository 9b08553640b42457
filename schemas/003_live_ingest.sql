-- Live ingest (issue 15): every write path (CLI import, HTTP push, SOS-T, MQTT) goes through
-- src/ingest/writer.ts, one transaction per request or batch, recorded as an import_run.
-- Idempotent like every migration: re-running it (an operator re-recording a version) changes nothing.

-- A stored observation whose value or qc a later write changed: the old and new values, and the
-- run that changed it. Re-sending an identical observation changes nothing and is not recorded.
CREATE TABLE IF NOT EXISTS observation_correction (
  id             bigserial PRIMARY KEY,
  dataset_id     integer NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
  time           timestamptz NOT NULL,
  old_value      double precision,
  old_qc         smallint NOT NULL,
  new_value      double precision,
  new_qc         smallint NOT NULL,
  import_run_id  integer NOT NULL REFERENCES import_run(id),
  corrected_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS observation_correction_series_idx ON observation_correction (dataset_id, time);

ALTER TABLE import_run ADD COLUMN IF NOT EXISTS observations_inserted bigint NOT NULL DEFAULT 0;
ALTER TABLE import_run ADD COLUMN IF NOT EXISTS observations_corrected bigint NOT NULL DEFAULT 0;

-- Live writes record a run per request or batch, so import_run grows steadily: the updateSequence
-- (latest changing run) is read from this index, not from a scan.
CREATE INDEX IF NOT EXISTS import_run_changed_idx ON import_run (finished_at) WHERE changed;
