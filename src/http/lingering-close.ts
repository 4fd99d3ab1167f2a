import type { FastifyInstance } from 'fastify';

/** How much of a body the hub reads and throws away after answering early, and for how long. */
export interface LingerLimits {
  bytes: number;
  ms: number;
}

/** As nginx's lingering close: enough for any body a partner would plausibly send by mistake. */
export const LINGER_LIMITS: LingerLimits = { bytes: 16 * 1024 * 1024, ms: 10_000 };

/**
 * An answer sent before its request body has all arrived (a 413, a 401 from an authentication
 * hook, a 415) must still reach the client. Most clients, Node's fetch among them, write the
 * whole body before they read anything; if the hub closed the connection while they were still
 * writing, they would see EPIPE or a reset, never the answer. So the rest of the body is read
 * and discarded, up to a bound in bytes and time, and the connection is kept (Fastify asks to
 * close it after a body error; with the body drained there is no reason to). A body declared
 * larger than the bound, or one that goes on past it, is cut without being read.
 */
export function lingerOnEarlyAnswers(app: FastifyInstance, limits: LingerLimits = LINGER_LIMITS): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw;
    // The usual case, first: the body (if any) was read before the answer.
    if (raw.complete || raw.destroyed) return done(null, payload);
    const declared = Number(raw.headers['content-length'] ?? 0);
    // A request without a body may not be marked complete yet when a hook answers at once.
    if (declared === 0 && raw.headers['transfer-encoding'] === undefined) return done(null, payload);
    if (declared > limits.bytes) {
      // Node closes the connection once the answer is written; clients that read early see it.
      void reply.header('connection', 'close');
      return done(null, payload);
    }
    const socket = raw.socket;
    // An injected request (app.inject: the audit log's read-back, tests) has no connection to keep.
    if (typeof socket?.destroy !== 'function') return done(null, payload);
    void reply.removeHeader('connection');
    let discarded = 0;
    const cut = () => socket.destroy();
    const timer = setTimeout(cut, limits.ms).unref();
    const count = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > limits.bytes) cut();
    };
    const stop = () => {
      clearTimeout(timer);
      raw.off('data', count);
    };
    raw.on('data', count);
    raw.once('end', stop);
    raw.once('close', stop);
    done(null, payload);
  });
}
