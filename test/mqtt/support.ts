import { randomBytes } from 'node:crypto';
import mqtt, { MqttClient } from 'mqtt';

/*
 * The real Mosquitto broker of this machine (127.0.0.1:1883; .ci/run starts it) for the MQTT feed tests.
 * Every test uses a topic prefix and client id of its own, so runs never see each other's messages or
 * sessions on the shared broker.
 */

export const BROKER_URL = process.env.REEFGATE_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** A prefix and client id no other test or run uses. */
export function uniqueFeed(): { prefix: string; clientId: string } {
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return { prefix: `rgtest/${tag}`, clientId: `rgtest-${tag}` };
}

/** A connected client (MQTT 5, clean session). */
export async function connectClient(opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(BROKER_URL, { protocolVersion: 5, clean: true, reconnectPeriod: 500, ...opts });
}

/** Publishes each payload at QoS 1 to topic(i), with at most `window` unacknowledged at once. */
export async function publishAll(c: MqttClient, count: number, topic: (i: number) => string, payload: (i: number) => string, window = 500): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await c.publishAsync(topic(i), payload(i), { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, worker));
}

/** Collects the messages of a topic filter (e.g. the dead-letter topics). */
export async function collect(filter: string): Promise<{ messages: { topic: string; body: Record<string, unknown> }[]; close(): Promise<void> }> {
  const c = await connectClient();
  const messages: { topic: string; body: Record<string, unknown> }[] = [];
  c.on('message', (topic, payload) => messages.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
  await c.subscribeAsync(filter, { qos: 1 });
  return { messages, close: () => c.endAsync() };
}

/** Removes a feed's persistent session from the broker (a clean connect under its client id). */
export async function dropSession(clientId: string): Promise<void> {
  const c = await connectClient({ clientId, clean: true, properties: { sessionExpiryInterval: 0 } });
  await c.endAsync();
}

/** Polls until check() is true; the cap only turns a hang into a failure. */
export async function until(check: () => Promise<boolean> | boolean, what: string, ms = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
