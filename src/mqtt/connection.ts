import mqtt, { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';

/*
 * The broker connection of a feed: MQTT 5, QoS 1, a persistent session under a fixed client id, and
 * PUBACKs sent by the feed after commit instead of by mqtt.js on receipt.
 *
 * Why not handleMessage/customHandleAcks: mqtt.js handles incoming packets one at a time and reads the
 * next only once the previous one's ack callback has run, so delaying that callback until commit would
 * make every message its own transaction (a few hundred per second). Instead mqtt.js acks at once into
 * a gate that swallows the PUBACK, and the feed sends it itself (connection.ack) once the message's rows
 * are committed. The broker keeps sending meanwhile, up to our Receive Maximum of unacknowledged
 * messages, which bounds what the gateway holds in memory. The gate replaces one private method of
 * mqtt.js (_sendPacket); a start-up check refuses to run if that method is gone (a changed mqtt.js must
 * fail loudly, not ack early).
 */

/** A message taken from the broker, to be acknowledged once stored (or dead-lettered). */
export interface FeedMessage {
  topic: string;
  payload: Buffer;
  messageId: number;
  /** The connection it came on: an ack is only valid there (a new session redelivers instead). */
  generation: number;
}

export interface ConnectionOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** Topic filter subscribed at QoS 1. */
  subscription: string;
  /** Unacknowledged messages the broker may send (MQTT 5 Receive Maximum). */
  receiveMaximum: number;
  /** How long the broker keeps the session while the gateway is away. */
  sessionExpirySeconds: number;
  onMessage(m: FeedMessage): void;
  onEvent(event: 'connected' | 'subscribed' | 'offline' | 'taken-over' | 'error', detail?: string): void;
}

type SendPacket = (packet: { cmd: string; messageId?: number; reasonCode?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

/** MQTT 5 reason code of a DISCONNECT when another client connected with our client id. */
const SESSION_TAKEN_OVER = 142;

/** One broker connection with deferred acknowledgements. */
export class FeedConnection {
  private readonly client: MqttClient;
  private readonly send: SendPacket;
  private generation = 0;

  constructor(private readonly o: ConnectionOptions) {
    const opts: IClientOptions = {
      clientId: o.clientId,
      username: o.username,
      password: o.password,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: o.sessionExpirySeconds, receiveMaximum: o.receiveMaximum },
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // Never replay a held PUBACK on a later connection: its packet id would name another message there.
      queueQoSZero: false,
      manualConnect: true,
    };
    this.client = mqtt.connect(o.url, opts);
    const c = this.client as unknown as { _sendPacket?: SendPacket };
    if (typeof c._sendPacket !== 'function') throw new Error('mqtt.js no longer has _sendPacket: the MQTT feed cannot defer acknowledgements with this version');
    const original = c._sendPacket.bind(this.client);
    this.send = original;
    c._sendPacket = (packet, cb, ...rest) => {
      // mqtt.js's own PUBACK on receipt: swallowed, the feed sends it after commit.
      if (packet.cmd === 'puback') return cb?.();
      return original(packet, cb, ...rest);
    };
    this.client.on('connect', (connack) => {
      this.generation++;
      o.onEvent('connected', connack.sessionPresent ? 'session resumed' : 'new session');
      this.client.subscribe(o.subscription, { qos: 1 }, (err) => {
        if (err) o.onEvent('error', `subscribe ${o.subscription}: ${err.message}`);
        else o.onEvent('subscribed', o.subscription);
      });
    });
    this.client.on('message', (topic, payload, packet: IPublishPacket) => {
      if (packet.qos !== 1 || packet.messageId === undefined) return o.onMessage({ topic, payload, messageId: -1, generation: this.generation });
      o.onMessage({ topic, payload, messageId: packet.messageId, generation: this.generation });
    });
    this.client.on('offline', () => o.onEvent('offline'));
    this.client.on('error', (err) => o.onEvent('error', err.message));
    this.client.on('disconnect', (packet) => {
      if (packet.reasonCode === SESSION_TAKEN_OVER) o.onEvent('taken-over');
    });
  }

  /** Connects (and reconnects by itself until closed). */
  start(): void {
    this.client.connect();
  }

  /** Acknowledges a stored message; false when its connection is gone (the broker will redeliver it). */
  ack(m: FeedMessage): boolean {
    if (m.messageId < 0) return true; // QoS 0: nothing to acknowledge
    if (m.generation !== this.generation || !this.client.connected) return false;
    this.send({ cmd: 'puback', messageId: m.messageId, reasonCode: 0 });
    return true;
  }

  /** Publishes at QoS 1 and resolves once the broker has it. */
  publish(topic: string, payload: string): Promise<void> {
    return new Promise((resolve, reject) => this.client.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Closes at once: held messages stay unacknowledged, for the broker to redeliver. */
  close(): Promise<void> {
    return new Promise((resolve) => this.client.end(true, {}, () => resolve()));
  }
}
