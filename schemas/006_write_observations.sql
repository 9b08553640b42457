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
--   rows are inserted; counts, extents and last change of the datasets follow incrementally (which
--   also tells appended rows apart without a look-up: see the merge);
-- - each changing run gets its finished_at (the updateSequence) under the lock, 1 ms after the latest;
--   the group sends one NOTIFY on p_channel (src/ingest/changes.ts payload: the last changing run, the
--   datasets changed by any of them), which every listening gateway process receives and handles.
-- The caller guarantees that no (dataset, time) appears twice in a group. Each statement of a VOLATILE
-- function takes its own snapshot (READ COMMITTED), so the merge, after the locks, sees every write
-- committed while they were awaited, as the statements of writer.ts do.
--
-- Arguments: one source per request; per (request, dataset): its rows, first and last time; per row:
-- its request (1-based), dataset, time, value and qc. Times are epoch ms (cheaper to send and read
-- than text), turned into a timestamptz by reefgate_epoch_ms. Returns per request
-- {"runId", "inserted", "corrected", "datasets": [touched ids]} or {"gone": dataset id}.

-- Epoch milliseconds as a timestamptz, exact over years 0001-9999 (whole seconds, then milliseconds: one
-- product of the two would go through a double beyond 2^53 microseconds). Inlined where it is used.
CREATE OR REPLACE FUNCTION reefgate_epoch_ms(ms bigint) RETURNS timestamptz LANGUAGE sql STABLE AS
$$ SELECT timestamptz 'epoch' + (ms / 1000) * interval '1 second' + (ms % 1000) * interval '1 millisecond' $$;

CREATE OR REPLACE FUNCTION reefgate_write_observations(
  p_sources text[], p_sreq integer[], p_sds integer[], p_scount integer[], p_smin bigint[], p_smax bigint[],
  p_reqs integer[], p_datasets integer[], p_ms bigint[], p_values double precision[], p_qcs smallint[], p_channel text)
RETURNS json LANGUAGE plpgsql VOLATILE SET jit = off AS $fn$
DECLARE
  v_n integer := cardinality(p_sources);
  v_gone integer[];
  v_bad integer[];
  v_runs integer[] := array_fill(NULL::integer, ARRAY[cardinality(p_sources)]);
  v_run integer;
  v_append boolean;
  v_trust boolean := true;
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
  v_all integer[] := '{}';
  v_last integer;
BEGIN
  -- Locks as importSql.ts lockDatasets (class 727274003), every dataset of the group, in id order.
  PERFORM count(pg_advisory_xact_lock(727274003, x.id)) FROM (SELECT DISTINCT unnest(p_sds) AS id ORDER BY 1) x;
  SELECT array_agg(DISTINCT x.id) INTO v_gone FROM unnest(p_sds) AS x (id) WHERE NOT EXISTS (SELECT 1 FROM dataset d WHERE d.id = x.id);
  IF v_gone IS NOT NULL THEN
    SELECT array_agg(DISTINCT s.r) INTO v_bad FROM unnest(p_sreq, p_sds) AS s (r, id) WHERE s.id = ANY(v_gone);
  END IF;
  FOR k IN 1..v_n LOOP
    IF v_bad IS NULL OR NOT k = ANY(v_bad) THEN
      INSERT INTO import_run (source) VALUES (p_sources[k]) RETURNING id INTO v_run;
      v_runs[k] := v_run;
    END IF;
  END LOOP;

  -- A row later than its dataset's last stored time (time_end, exact under the dataset lock: every write
  -- path keeps it) is new without looking. When every request's rows of every dataset are (appending,
  -- the usual case), they are inserted as they come, and the counts follow from the arguments.
  SELECT coalesce(bool_and(d.obs_count = 0 OR reefgate_epoch_ms(s.lo) > d.time_end), true) INTO v_append
    FROM unnest(p_sreq, p_sds, p_smin) AS s (r, id, lo) JOIN dataset d ON d.id = s.id WHERE v_runs[s.r] IS NOT NULL;
  IF v_append THEN
    BEGIN
      INSERT INTO observation (dataset_id, time, value, qc)
      SELECT x.dataset_id, reefgate_epoch_ms(x.ms), x.value, x.qc FROM unnest(p_reqs, p_datasets, p_ms, p_values, p_qcs) AS x (r, dataset_id, ms, value, qc)
       WHERE v_runs[x.r] IS NOT NULL;
      UPDATE dataset d SET obs_count = d.obs_count + x.n, time_start = LEAST(d.time_start, reefgate_epoch_ms(x.lo)), time_end = GREATEST(d.time_end, reefgate_epoch_ms(x.hi)), updated_at = now()
        FROM (SELECT s.id, sum(s.n) AS n, min(s.lo) AS lo, max(s.hi) AS hi FROM unnest(p_sreq, p_sds, p_scount, p_smin, p_smax) AS s (r, id, n, lo, hi)
               WHERE v_runs[s.r] IS NOT NULL GROUP BY s.id) x
       WHERE d.id = x.id;
      SELECT array_agg(s.r), array_agg(s.id), array_agg(s.n::bigint), array_agg(0::bigint) INTO v_req, v_ds, v_ins_n, v_cor_n
        FROM unnest(p_sreq, p_sds, p_scount) AS s (r, id, n) WHERE v_runs[s.r] IS NOT NULL;
    EXCEPTION WHEN unique_violation THEN
      -- A row is stored after its dataset's recorded end: written behind the writer's back (plain SQL).
      -- Undone (this block is a subtransaction); the merge below looks every row up instead.
      v_append := false;
      v_trust := false;
    END;
  END IF;
  IF NOT v_append THEN
    -- Rows not later than their dataset's end are looked up once, by primary key (LATERAL ... LIMIT 1:
    -- one index probe per row, where a join could be planned as a hash of the whole table), then
    -- corrected or inserted.
    WITH i AS (
      SELECT x.r, v_runs[x.r] AS run, x.dataset_id, reefgate_epoch_ms(x.ms) AS time, x.value, x.qc
        FROM unnest(p_reqs, p_datasets, p_ms, p_values, p_qcs) AS x (r, dataset_id, ms, value, qc)
       WHERE v_runs[x.r] IS NOT NULL
    ), j AS (
      SELECT i.*, v_trust AND (d.obs_count = 0 OR i.time > d.time_end) AS fresh FROM i JOIN dataset d ON d.id = i.dataset_id
    ), old AS (
      SELECT j.r, j.run, j.dataset_id, j.time, j.value, j.qc, o.value AS old_value, o.qc AS old_qc, o.stored
        FROM j LEFT JOIN LATERAL (SELECT o.value, o.qc, true AS stored FROM observation o WHERE o.dataset_id = j.dataset_id AND o.time = j.time LIMIT 1) o ON true
       WHERE NOT j.fresh
    ), changed AS (
      SELECT r, run, dataset_id, time, old_value, old_qc, value AS new_value, qc AS new_qc FROM old
       WHERE stored AND (old_value, old_qc) IS DISTINCT FROM (value, qc)
    ), upd AS (
      UPDATE observation o SET value = c.new_value, qc = c.new_qc FROM changed c WHERE o.dataset_id = c.dataset_id AND o.time = c.time
    ), rec AS (
      INSERT INTO observation_correction (dataset_id, time, old_value, old_qc, new_value, new_qc, import_run_id)
      SELECT dataset_id, time, old_value, old_qc, new_value, new_qc, run FROM changed
    ), new AS (
      SELECT r, dataset_id, time, value, qc FROM j WHERE fresh
      UNION ALL SELECT r, dataset_id, time, value, qc FROM old WHERE stored IS NULL
    ), ins AS (
      INSERT INTO observation (dataset_id, time, value, qc) SELECT dataset_id, time, value, qc FROM new
    ), per AS (
      SELECT r, dataset_id, count(*) FILTER (WHERE NOT cor) AS n_ins, count(*) FILTER (WHERE cor) AS n_cor,
             min(time) FILTER (WHERE NOT cor) AS t0, max(time) FILTER (WHERE NOT cor) AS t1
        FROM (SELECT r, dataset_id, time, false AS cor FROM new UNION ALL SELECT r, dataset_id, time, true FROM changed) x
       GROUP BY r, dataset_id
    ), per_ds AS (
      SELECT dataset_id, sum(n_ins) AS n_ins, min(t0) AS t0, max(t1) AS t1 FROM per GROUP BY dataset_id
    ), ds AS (
      UPDATE dataset d SET obs_count = d.obs_count + per_ds.n_ins, time_start = LEAST(d.time_start, per_ds.t0), time_end = GREATEST(d.time_end, per_ds.t1), updated_at = now()
        FROM per_ds WHERE d.id = per_ds.dataset_id
    )
    SELECT array_agg(r), array_agg(dataset_id), array_agg(n_ins), array_agg(n_cor) INTO v_req, v_ds, v_ins_n, v_cor_n FROM per;
  END IF;

  FOR k IN 1..v_n LOOP
    IF v_runs[k] IS NULL THEN
      v_out := array_append(v_out, json_build_object('gone', (SELECT min(s.id) FROM unnest(p_sreq, p_sds) AS s (r, id) WHERE s.r = k AND s.id = ANY(v_gone))));
      CONTINUE;
    END IF;
    SELECT coalesce(sum(v_ins_n[j]), 0), coalesce(sum(v_cor_n[j]), 0), coalesce(array_agg(v_ds[j] ORDER BY v_ds[j]) FILTER (WHERE v_ins_n[j] + v_cor_n[j] > 0), '{}')
      INTO v_ins, v_cor, v_touched FROM generate_subscripts(v_req, 1) AS j WHERE v_req[j] = k;
    SELECT coalesce(sum(s.n), 0) INTO v_read FROM unnest(p_sreq, p_scount) AS s (r, n) WHERE s.r = k;
    IF v_ins + v_cor > 0 THEN
      -- The updateSequence lock (importSql.ts SEQUENCE_LOCK), held until commit: finished_at in commit order.
      PERFORM pg_advisory_xact_lock(727274002);
      UPDATE import_run SET observations_read = v_read, observations_written = v_ins + v_cor,
             observations_inserted = v_ins, observations_corrected = v_cor, changed = true,
             finished_at = GREATEST(clock_timestamp(), (SELECT date_trunc('milliseconds', max(finished_at)) + interval '1 millisecond' FROM import_run WHERE changed))
       WHERE id = v_runs[k];
      v_last := v_runs[k];
      v_all := v_all || v_touched;
    ELSE
      UPDATE import_run SET observations_read = v_read, finished_at = clock_timestamp() WHERE id = v_runs[k];
    END IF;
    v_out := array_append(v_out, json_build_object('runId', v_runs[k], 'inserted', v_ins, 'corrected', v_cor, 'datasets', v_touched));
  END LOOP;
  -- One notification for the group (listeners need the datasets, not each run): the last changing run, every dataset changed.
  IF v_last IS NOT NULL THEN
    SELECT array_agg(DISTINCT x ORDER BY x) INTO v_all FROM unnest(v_all) AS x;
    PERFORM pg_notify(p_channel, json_build_object('runId', v_last, 'datasets', CASE WHEN cardinality(v_all) > 500 THEN to_json('all'::text) ELSE to_json(v_all) END, 'catalogue', false)::text);
  END IF;
  RETURN array_to_json(v_out);
END
$fn$;
