-- ReefGate core data model. See docs/data-model.md for the reasoning behind keys and indexes.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE network (
  id    serial PRIMARY KEY,
  code  text NOT NULL UNIQUE,
  name  text NOT NULL
);

-- Producers: the organisations that run the stations.
CREATE TABLE organisation (
  id    serial PRIMARY KEY,
  name  text NOT NULL UNIQUE
);

CREATE TABLE station (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  geom        geometry(Point, 4326) NOT NULL,
  depth_m     double precision,
  country     text CHECK (country ~ '^[A-Z]{3}$'),
  network_id  integer NOT NULL REFERENCES network(id),
  producer_id integer REFERENCES organisation(id)
);
CREATE INDEX station_geom_gix ON station USING gist (geom);

CREATE TABLE observed_property (
  id              serial PRIMARY KEY,
  code            text NOT NULL UNIQUE,
  standard_name   text NOT NULL,
  vocabulary_uri  text NOT NULL,
  label           text NOT NULL,
  uom             text NOT NULL      -- UCUM code
);

-- A procedure in SOS terms: one instrument family deployed at one station.
CREATE TABLE sensor (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  family      text NOT NULL,
  station_id  integer NOT NULL REFERENCES station(id),
  UNIQUE (station_id, family)
);

-- One time series: station x property x sensor x processing level.
CREATE TABLE dataset (
  id                serial PRIMARY KEY,
  code              text NOT NULL UNIQUE,
  station_id        integer NOT NULL REFERENCES station(id),
  property_id       integer NOT NULL REFERENCES observed_property(id),
  sensor_id         integer NOT NULL REFERENCES sensor(id),
  processing_level  text NOT NULL,
  declared_start    timestamptz,
  declared_end      timestamptz,
  -- Kept by the importer from the observations themselves.
  time_start        timestamptz,
  time_end          timestamptz,
  obs_count         bigint NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (station_id, property_id, sensor_id, processing_level)
);
CREATE INDEX dataset_station_idx ON dataset (station_id);
CREATE INDEX dataset_property_idx ON dataset (property_id);

-- The big table. The primary key is the access path of every series query (one dataset, a time
-- window, in time order); rows arrive grouped by dataset and time, so the table is nearly
-- clustered on it and a BRIN on time stays tight for network-wide time windows.
CREATE TABLE observation (
  dataset_id  integer NOT NULL REFERENCES dataset(id),
  time        timestamptz NOT NULL,
  value       double precision,
  qc          smallint NOT NULL DEFAULT 0 CHECK (qc BETWEEN 0 AND 9),
  PRIMARY KEY (dataset_id, time)
) WITH (fillfactor = 100);
CREATE INDEX observation_time_brin ON observation USING brin (time) WITH (pages_per_range = 32);

-- Every import run; the latest one that changed data is the SOS updateSequence.
CREATE TABLE import_run (
  id            serial PRIMARY KEY,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  source        text NOT NULL,
  stations      integer NOT NULL DEFAULT 0,
  datasets      integer NOT NULL DEFAULT 0,
  observations_read     bigint NOT NULL DEFAULT 0,
  observations_written  bigint NOT NULL DEFAULT 0,
  changed       boolean NOT NULL DEFAULT false
);
