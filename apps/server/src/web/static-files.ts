import { readFileSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { webAssetDir } from "./render.js";

const files = [
  ["web.css", "text/css; charset=utf-8"],
  ["web.js", "text/javascript; charset=utf-8"],
] as const;

/** `/static/web.css` and `/static/web.js`, read once at startup: two small files need no static-file plugin. */
export function staticFiles(app: FastifyInstance): void {
  const dir = webAssetDir("static");
  for (const [name, type] of files) {
    const body = readFileSync(path.join(dir, name));
    app.get(`/static/${name}`, async (_request, reply) =>
      reply.type(type).header("cache-control", "public, max-age=300").send(body),
    );
  }
}
