-- Yearly time partitions of observation (issue 16), as an explicit step: whether they pay depends on the
-- size of the deployment (docs/data-model.md, "Partitioning"), so this migration only defines the functions;
-- `reefgate partition-observations` converts, and the write path and start-up create missing years.
-- Idempotent like every migration (CREATE OR REPLACE). Years are UTC years: a partition holds
-- [YYYY-01-01T00:00Z, YYYY+1-01-01T00:00Z).

-- Creates the yearly partitions of the given years that do not exist yet; returns how many it created.
-- Does nothing (returns 0) while observation is a plain table. A partition is made as a table of its own and
-- then ATTACHed: CREATE TABLE ... PARTITION OF would lock the parent ACCESS EXCLUSIVE until the writer's
-- commit (every reader waits for a whole import), ATTACH only SHARE UPDATE EXCLUSIVE, which readers and other
-- writers' inserts do not conflict with. That lock, taken first (and held to commit), also makes concurrent
-- writers needing a new year create it once: the second waits for the first to commit, then finds it. (An
-- advisory lock would not do: acquiring it does not refresh this backend's catalogue cache, so the second
-- writer still missed the first one's committed table and failed on its name.)
CREATE OR REPLACE FUNCTION observation_ensure_partitions(years int[]) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  y int;
  part text;
  created int := 0;
  locked boolean := false;
BEGIN
  IF (SELECT c.relkind FROM pg_class c WHERE c.oid = 'observation'::regclass) <> 'p' THEN
    RETURN 0;
  END IF;
  FOR y IN SELECT DISTINCT u FROM unnest(years) AS u WHERE u IS NOT NULL ORDER BY 1 LOOP
    IF y < 1 OR y > 9999 THEN
      RAISE EXCEPTION 'observation partition year % outside 1-9999', y;
    END IF;
    part := format('observation_y%s', lpad(y::text, 4, '0'));
    CONTINUE WHEN to_regclass(quote_ident(part)) IS NOT NULL;
    IF NOT locked THEN
      LOCK TABLE observation IN SHARE UPDATE EXCLUSIVE MODE;
      locked := true;
      -- Created and committed by another writer while this one waited.
      CONTINUE WHEN to_regclass(quote_ident(part)) IS NOT NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE observation INCLUDING DEFAULTS INCLUDING CONSTRAINTS) WITH (fillfactor = 100)', part);
    EXECUTE format('ALTER TABLE observation ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part,
                   make_timestamptz(y, 1, 1, 0, 0, 0, 'UTC'), make_timestamptz(y + 1, 1, 1, 0, 0, 0, 'UTC'));
    created := created + 1;
  END LOOP;
  RETURN created;
END $$;

-- Converts a plain observation into the partitioned layout in the caller's transaction (all or nothing):
-- a partitioned table with one partition per year holding data (from the datasets' stored extents) and
-- the current year up to `ahead` years on, the rows moved in key order (physical order follows the key,
-- the BRIN stays tight), then the primary key and the BRIN built per partition (a sorted build, faster than
-- maintaining them row by row), and the names swapped. Readers and writers wait meanwhile (ACCESS
-- EXCLUSIVE). Returns the rows moved; -1 when observation is already partitioned.
CREATE OR REPLACE FUNCTION observation_partition(ahead int DEFAULT 1) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  moved bigint;
  years int[];
  now_year int := extract(year FROM now() AT TIME ZONE 'UTC')::int;
BEGIN
  LOCK TABLE observation IN ACCESS EXCLUSIVE MODE;
  IF (SELECT c.relkind FROM pg_class c WHERE c.oid = 'observation'::regclass) = 'p' THEN
    RETURN -1;
  END IF;
  SELECT array_agg(DISTINCT y ORDER BY y) INTO years FROM (
    SELECT generate_series(extract(year FROM time_start AT TIME ZONE 'UTC')::int, extract(year FROM time_end AT TIME ZONE 'UTC')::int) AS y
      FROM dataset WHERE obs_count > 0 AND time_start IS NOT NULL
    UNION ALL SELECT generate_series(now_year, now_year + greatest(ahead, 0))
  ) s;
  CREATE TABLE observation_partitioned (LIKE observation INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (time);
  ALTER TABLE observation RENAME TO observation_unpartitioned;
  ALTER TABLE observation_partitioned RENAME TO observation;
  PERFORM observation_ensure_partitions(years);
  SET LOCAL maintenance_work_mem = '256MB';
  -- A row outside every partition (a dataset extent out of date) aborts the whole conversion here.
  INSERT INTO observation SELECT * FROM observation_unpartitioned ORDER BY dataset_id, time;
  GET DIAGNOSTICS moved = ROW_COUNT;
  DROP TABLE observation_unpartitioned;
  ALTER TABLE observation ADD CONSTRAINT observation_pkey PRIMARY KEY (dataset_id, time);
  CREATE INDEX observation_time_brin ON observation USING brin (time) WITH (pages_per_range = 32);
  RETURN moved;
END $$;
