import os from 'node:os';
import type { Config } from '../config/config';
import type { Store } from '../data/store';
import type { Logger } from '../log';
import { FeedConnection } from './connection';
import { Feed, FeedStats } from './feed';
import { LeaderState, Leadership } from './leader';

/*
 * The MQTT feed of a gateway (MQTT_URL set): on PostgreSQL only the elected gateway (leader.ts)
 * connects to the broker and consumes; the embedded store is one process and always consumes.
 */

/** A running feed service. */
export interface MqttService {
  /** The consuming feed's counters (undefined while this gateway is not the leader). */
  stats(): FeedStats | undefined;
  /** This gateway consumes: it leads and its subscription is in force. */
  consuming(): boolean;
  close(): Promise<void>;
}

/** Starts the MQTT feed service for the configuration; undefined when MQTT_URL is unset. */
export function startMqtt(cfg: Config, store: Store, log: Logger): MqttService | undefined {
  if (!cfg.mqttUrl) return undefined;
  const url = cfg.mqttUrl;
  const mlog = log.child({ component: 'mqtt' });
  const instance = `${os.hostname()}:${process.pid}`;
  let running: { conn: FeedConnection; feed: Feed; subscribed: boolean } | undefined;
  let stopping: Promise<void> = Promise.resolve();

  const start = () => {
    if (running) return;
    const prefix = cfg.mqttTopicPrefix;
    // The connection needs the feed (its messages) and the feed the connection (its acks).
    let feed!: Feed;
    const conn = new FeedConnection({
      url,
      clientId: cfg.mqttClientId,
      username: cfg.mqttUsername,
      password: cfg.mqttPassword,
      subscription: `${prefix}/obs/+`,
      receiveMaximum: cfg.mqttReceiveMaximum,
      sessionExpirySeconds: cfg.mqttSessionExpirySeconds,
      onMessage: (m) => feed.push(m),
      onEvent: (event, detail) => {
        if (event === 'subscribed') {
          if (running?.conn === conn && !running.subscribed) mlog.info({ subscription: detail, instance }, 'MQTT feed subscribed');
          if (running?.conn === conn) running.subscribed = true;
        } else if (event === 'connected') mlog.info({ clientId: cfg.mqttClientId, detail }, 'MQTT feed connected');
        else if (event === 'taken-over') {
          // Another gateway connected with our client id: it holds the lock now, or will. Step down.
          mlog.warn('MQTT session taken over by another gateway; stopping');
          stop();
        } else mlog.warn({ event, detail }, 'MQTT feed connection');
      },
    });
    feed = new Feed(store, conn, { prefix, batchMessages: cfg.mqttBatchMessages, batchMs: cfg.mqttBatchMs, source: { description: `MQTT ${prefix}/obs (client ${cfg.mqttClientId}, ${instance})`, networks: cfg.mqttNetworks } }, mlog);
    running = { conn, feed, subscribed: false };
    conn.start();
    mlog.info({ subscription: `${prefix}/obs/+`, instance }, 'MQTT feed consuming');
  };

  const stop = () => {
    const r = running;
    running = undefined;
    if (!r) return;
    // The broker connection closes first: the batch in progress can no longer be acked and is redelivered.
    stopping = stopping.then(async () => {
      await r.conn.close();
      await r.feed.close();
      mlog.info('MQTT feed stopped');
    });
  };

  let leadership: Leadership | undefined;
  if (store.kind === 'postgres' && cfg.databaseUrl) {
    leadership = new Leadership(cfg.databaseUrl, cfg.mqttClientId, cfg.mqttLeaderPollMs, (s: LeaderState) => {
      mlog.info({ state: s, instance }, 'MQTT leadership');
      if (s === 'held') start();
      else if (s === 'other') stop();
    }, mlog);
    leadership.start();
  } else {
    start();
  }

  return {
    stats: () => running?.feed.stats,
    consuming: () => running?.subscribed === true,
    close: async () => {
      stop();
      await stopping;
      await leadership?.close();
    },
  };
}
