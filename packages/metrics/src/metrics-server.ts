import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { AlmanacMetrics } from "./almanac-metrics.js";

export interface MetricsServer {
  /** `http://host:port`, the port resolved when 0 was asked for. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A bare HTTP listener answering `GET /metrics` (Prometheus text) and nothing else: what
 * `almanac worker` serves on `ALMANAC_METRICS_PORT`, since a worker has no fastify server.
 */
export async function startMetricsServer(
  metrics: AlmanacMetrics,
  options: { readonly host: string; readonly port: number },
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path !== "/metrics" || (request.method !== "GET" && request.method !== "HEAD")) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ error: { code: "ALMANAC_NOT_FOUND", message: "only GET /metrics is served here" } }),
      );
      return;
    }
    metrics.render().then(
      (text) => {
        response.writeHead(200, { "content-type": metrics.registry.contentType });
        response.end(request.method === "HEAD" ? undefined : text);
      },
      () => {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(
          JSON.stringify({ error: { code: "ALMANAC_INTERNAL", message: "metrics could not be collected" } }),
        );
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
