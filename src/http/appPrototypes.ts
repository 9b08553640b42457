import http from 'node:http';
import type { Socket } from 'node:net';

/** The two objects an Express app makes the prototypes of every request and response it handles. */
export interface HasPrototypes {
  request: object;
  response: object;
}

/**
 * The request and response constructors of a server whose requests an Express app handles, making
 * objects born with that app's prototypes. Express sets them on every request (Object.setPrototypeOf in
 * app.handle); on an object that has them already that is a no-op, while a real change of prototype
 * costs V8 a new hidden class per object and leaves every property access on requests and responses
 * megamorphic, in our code, Express's and Node's. Bare Express /healthz: 0.13 → 0.06 ms of CPU a request
 * (docs/benchmarks.md). Objects stay IncomingMessage and ServerResponse instances either way.
 */
export class AppPrototypes {
  readonly IncomingMessage: typeof http.IncomingMessage;
  readonly ServerResponse: typeof http.ServerResponse;

  constructor(app?: HasPrototypes) {
    // Plain functions, not classes: their `prototype` can be reassigned when another app takes over.
    const Req = function (this: http.IncomingMessage, socket: Socket) {
      (http.IncomingMessage as unknown as (this: unknown, s: Socket) => void).call(this, socket);
    };
    const Res = function (this: http.ServerResponse, req: http.IncomingMessage, options?: unknown) {
      (http.ServerResponse as unknown as (this: unknown, r: http.IncomingMessage, o?: unknown) => void).call(this, req, options);
    };
    Req.prototype = http.IncomingMessage.prototype;
    Res.prototype = http.ServerResponse.prototype;
    this.IncomingMessage = Req as unknown as typeof http.IncomingMessage;
    this.ServerResponse = Res as unknown as typeof http.ServerResponse;
    if (app) this.adopt(app);
  }

  /** Requests and responses made from now on are born as `app`'s. */
  adopt(app: HasPrototypes): void {
    (this.IncomingMessage as { prototype: object }).prototype = app.request;
    (this.ServerResponse as { prototype: object }).prototype = app.response;
  }
}

/** An Express app's prototypes, when the listener is one (a plain function has neither). */
export function appPrototypesOf(listener: http.RequestListener): AppPrototypes | undefined {
  const app = listener as unknown as Partial<HasPrototypes>;
  return typeof app.request === 'object' && typeof app.response === 'object' ? new AppPrototypes(app as HasPrototypes) : undefined;
}
