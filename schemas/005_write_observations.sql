-- The write path's observations-only case (src/ingest/groupWrite.ts: SOS InsertObservation and
-- InsertResult) as one function, called as one autocommit statement: runs, dataset locks, the merge, the
-- runs' ends, the NOTIFYs and the commit in one round trip, where a transaction statement by statement
-- took eight (each a wake-up of the backend and of the gateway on a loaded machine).
--
-- One call writes a group of requests that arrived together, each all or nothing with a run of its own,
-- under one commit: changing runs end under the updateSequence lock, which is held until commit, so
-- commits one at a time would each wait for their own WAL flush; a group shares it. The rules are those
-- of src/ingest/writer.ts (same statements, see src/ingest/importSql.ts):
-- - every dataset of the group is locked first, in id order (writers never wait on each other crosswise);
-- - a request naming a dataset that no longer exists (deleted since the gateway looked it up) is left
--   out, with nothing stored and no run: its caller refuses it; the others are written;
-- - identical rows change nothing, a different value or qc is a correction recorded with its run, new
--   rows are inserted; counts, extents and last change of the datasets follow incrementally;
-- - each changing run gets its finished_at (the updateSequence) under the lock, 1 ms after the latest,
--   and a NOTIFY on p_channel with its payload (src/ingest/changes.ts).
-- The caller guarantees that no (dataset, time) appears twice in a group. Each statement of a VOLATILE
-- function takes its own snapshot (READ COMMITTED), so the merge, after the locks, sees every write
-- committed while they were awaited, as the statements of writer.ts do.
--
-- Arguments: one source per request; per row, its request (1-based), dataset, time (epoch ms, cheaper
-- to send and read than text; turned into a timestamptz as whole seconds plus ms, exact over years 0001-9999), value and qc. Returns per request
-- {"runId", "inserted", "corrected", "datasets": [touched ids]} or {"gone": dataset id}.
CREATE OR REPLACE FUNCTION reefgate_write_observations(
  p_sources text[], p_reqs integer[], p_datasets integer[], p_ms bigint[], p_values double precision[], p_qcs smallint[], p_channel text)
RETURNS json LANGUAGE plpgsql VOLATILE SET jit = off AS $fn$
DECLARE
  v_n integer := cardinality(p_sources);
  v_gone integer[];
  v_bad integer[];
  v_runs integer[] := array_fill(NULL::integer, ARRAY[cardinality(p_sources)]);
  v_run integer;
  v_req integer[];
  v_ds integer[];
  v_ins_n bigint[];
  v_cor_n bigint[];
  v_out json[] := '{}';
  k integer;
  v_ins bigint;
  v_cor bigint;
  v_read bigint;
  v_touched integer[];
BEGIN
  -- Locks as importSql.ts lockDatasets (class 727274003), every dataset of the group, in id order.
  PERFORM count(pg_advisory_xact_lock(727274003, x.id)) FROM (SELECT DISTINCT unnest(p_datasets) AS id ORDER BY 1) x;
  SELECT array_agg(x.id) INTO v_gone FROM (SELECT DISTINCT unnest(p_datasets) AS id) x WHERE NOT EXISTS (SELECT 1 FROM dataset d WHERE d.id = x.id);
  IF v_gone IS NOT NULL THEN
    SELECT array_agg(DISTINCT u.r) INTO v_bad FROM unnest(p_reqs, p_datasets) AS u (r, id) WHERE u.id = ANY(v_gone);
  END IF;
  FOR k IN 1..v_n LOOP
    IF v_bad IS NULL OR NOT k = ANY(v_bad) THEN
      INSERT INTO import_run (source) VALUES (p_sources[k]) RETURNING id INTO v_run;
      v_runs[k] := v_run;
    END IF;
  END LOOP;

  WITH i AS (
    SELECT u.r, v_runs[u.r] AS run, u.dataset_id, timestamptz 'epoch' + (u.ms / 1000) * interval '1 second' + (u.ms % 1000) * interval '1 millisecond' AS time, u.value, u.qc
      FROM unnest(p_reqs, p_datasets, p_ms, p_values, p_qcs) AS u (r, dataset_id, ms, value, qc)
     WHERE v_runs[u.r] IS NOT NULL
  ), changed AS (
    SELECT i.r, i.run, o.dataset_id, o.time, o.value AS old_value, o.qc AS old_qc, i.value AS new_value, i.qc AS new_qc
      FROM i JOIN observation o ON o.dataset_id = i.dataset_id AND o.time = i.time
     WHERE (o.value, o.qc) IS DISTINCT FROM (i.value, i.qc)
  ), upd AS (
    UPDATE observation o SET value = c.new_value, qc = c.new_qc FROM changed c WHERE o.dataset_id = c.dataset_id AND o.time = c.time
  ), rec AS (
    INSERT INTO observation_correction (dataset_id, time, old_value, old_qc, new_value, new_qc, import_run_id)
    SELECT dataset_id, time, old_value, old_qc, new_value, new_qc, run FROM changed
  ), ins AS (
    INSERT INTO observation (dataset_id, time, value, qc)
    SELECT i.dataset_id, i.time, i.value, i.qc FROM i
     WHERE NOT EXISTS (SELECT 1 FROM observation o WHERE o.dataset_id = i.dataset_id AND o.time = i.time)
    RETURNING dataset_id, time
  ), ins_req AS (
    -- RETURNING has no request: each (dataset, time) is in one request of the group.
    SELECT i.r, ins.dataset_id, ins.time FROM ins JOIN i ON i.dataset_id = ins.dataset_id AND i.time = ins.time
  ), per AS (
    SELECT r, dataset_id, sum(n_ins)::bigint AS n_ins, sum(n_cor)::bigint AS n_cor, min(t0) AS t0, max(t1) AS t1 FROM (
      SELECT r, dataset_id, count(*) AS n_ins, 0 AS n_cor, min(time) AS t0, max(time) AS t1 FROM ins_req GROUP BY r, dataset_id
      UNION ALL SELECT r, dataset_id, 0, count(*), NULL, NULL FROM changed GROUP BY r, dataset_id) x
     GROUP BY r, dataset_id
  ), per_ds AS (
    SELECT dataset_id, sum(n_ins) AS n_ins, min(t0) AS t0, max(t1) AS t1 FROM per GROUP BY dataset_id
  ), ds AS (
    UPDATE dataset d SET obs_count = d.obs_count + per_ds.n_ins, time_start = LEAST(d.time_start, per_ds.t0), time_end = GREATEST(d.time_end, per_ds.t1), updated_at = now()
      FROM per_ds WHERE d.id = per_ds.dataset_id
  )
  SELECT array_agg(r ORDER BY r, dataset_id), array_agg(dataset_id ORDER BY r, dataset_id), array_agg(n_ins ORDER BY r, dataset_id), array_agg(n_cor ORDER BY r, dataset_id)
    INTO v_req, v_ds, v_ins_n, v_cor_n FROM per;

  FOR k IN 1..v_n LOOP
    IF v_runs[k] IS NULL THEN
      v_out := array_append(v_out, json_build_object('gone', (SELECT min(u.id) FROM unnest(p_reqs, p_datasets) AS u (r, id) WHERE u.r = k AND u.id = ANY(v_gone))));
      CONTINUE;
    END IF;
    SELECT coalesce(sum(v_ins_n[j]), 0), coalesce(sum(v_cor_n[j]), 0), coalesce(array_agg(v_ds[j] ORDER BY v_ds[j]), '{}')
      INTO v_ins, v_cor, v_touched FROM generate_subscripts(v_req, 1) AS j WHERE v_req[j] = k;
    SELECT count(*) INTO v_read FROM unnest(p_reqs) AS r WHERE r = k;
    IF v_ins + v_cor > 0 THEN
      -- The updateSequence lock (importSql.ts SEQUENCE_LOCK), held until commit: finished_at in commit order.
      PERFORM pg_advisory_xact_lock(727274002);
      UPDATE import_run SET observations_read = v_read, observations_written = v_ins + v_cor,
             observations_inserted = v_ins, observations_corrected = v_cor, changed = true,
             finished_at = GREATEST(clock_timestamp(), (SELECT date_trunc('milliseconds', max(finished_at)) + interval '1 millisecond' FROM import_run WHERE changed))
       WHERE id = v_runs[k];
      PERFORM pg_notify(p_channel, json_build_object('runId', v_runs[k], 'datasets', CASE WHEN cardinality(v_touched) > 500 THEN to_json('all'::text) ELSE to_json(v_touched) END, 'catalogue', false)::text);
    ELSE
      UPDATE import_run SET observations_read = v_read, finished_at = clock_timestamp() WHERE id = v_runs[k];
    END IF;
    v_out := array_append(v_out, json_build_object('runId', v_runs[k], 'inserted', v_ins, 'corrected', v_cor, 'datasets', v_touched));
  END LOOP;
  RETURN array_to_json(v_out);
END
$fn$;
