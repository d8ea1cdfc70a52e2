import { once } from "node:events";
import net from "node:net";
import { mulberry32 } from "../../../examples/nyc_taxi/scripts/random-source.js";

/**
 * A TCP proxy that delays what it forwards: the latency half of a slow link where the kernel has
 * no `tc netem` (sch_netem). Each chunk read from one side is written to the other after
 * `meanMs ± jitterMs` (uniform, as netem's default jitter), independently per direction, so a
 * round trip through it takes 2 × mean ± 2 × jitter. Unlike netem it delays per chunk at the
 * application boundary, not per packet: TCP on either side acknowledges at once and never sees
 * the delay in its RTT estimate, and bytes are never reordered (a stream cannot be).
 */
export interface DelayProxy {
  /** The port it listens on, at the `listen` address. */
  readonly port: number;
  /** Sets the one-way delay of every later chunk, both directions; 0 ± 0 (the start) forwards at once. */
  setDelay(meanMs: number, jitterMs: number): void;
  /** Stops listening and drops every connection through it. */
  close(): Promise<void>;
}

export interface DelayProxyOptions {
  /** Address to listen on (a network host's service-side address); the port is the kernel's choice. */
  readonly listen: string;
  /** Where connections go: the service itself, e.g. `{ host: "127.0.0.1", port: cluster port }`. */
  readonly target: { readonly host: string; readonly port: number };
  /** Seed of the jitter's PRNG (mulberry32), so a run's sequence of delays is reproducible. */
  readonly seed: number;
}

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const random = mulberry32(options.seed);
  let meanMs = 0;
  let jitterMs = 0;
  const delay = () => Math.max(0, meanMs + (2 * random() - 1) * jitterMs);
  const sockets = new Set<net.Socket>();
  // Half-open allowed: a side's FIN is passed on only after the data queued before it.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const service = net.connect({ ...options.target, allowHalfOpen: true });
    for (const socket of [client, service]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      // Either side failing ends the pair, as a broken link would for both ends.
      socket.on("error", () => undefined);
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        service.destroy();
      });
    }
    forwardDelayed(client, service, delay);
    forwardDelayed(service, client, delay);
  });
  server.listen(0, options.listen);
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    setDelay(mean, jitter) {
      meanMs = mean;
      jitterMs = jitter;
    },
    async close() {
      const closed = once(server, "close");
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/**
 * Writes each chunk of `from` to `to` at max(previous chunk's release, arrival + delay): a later
 * chunk with a shorter delay waits for the one before it, so byte order holds. One timer per
 * direction walks the queue in order (timers of different lengths need not fire in order of
 * their deadlines). No backpressure: a backfill's traffic is small and the queue drains within
 * one delay.
 */
function forwardDelayed(from: net.Socket, to: net.Socket, delay: () => number): void {
  const queue: { at: number; chunk: Buffer }[] = [];
  let lastRelease = 0;
  let scheduled = false;
  let ended = false;
  const schedule = (at: number) => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(release, at - performance.now());
  };
  const release = () => {
    scheduled = false;
    const now = performance.now();
    for (let next = queue[0]; next !== undefined && next.at <= now; next = queue[0]) {
      queue.shift();
      to.write(next.chunk);
    }
    if (queue[0] !== undefined) schedule(queue[0].at);
    else if (ended) to.end();
  };
  from.on("data", (chunk: Buffer) => {
    lastRelease = Math.max(lastRelease, performance.now() + delay());
    queue.push({ at: lastRelease, chunk });
    schedule(lastRelease);
  });
  // A half-close travels behind the data before it, as a FIN would.
  from.on("end", () => {
    ended = true;
    schedule(lastRelease);
  });
}
