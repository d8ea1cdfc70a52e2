import {
  type AssetHealth,
  assetHealth,
  assetPartitionGrid,
  assetSummaries,
  compileModel,
  requestBackfill,
  requestRun,
  upstreamPartitionsOf,
} from "@almanac/engine";
import { AlmanacError } from "@almanac/errors";
import { partitionsOf } from "@almanac/project";
import { getAssetPartition, listRuns, storeDb } from "@almanac/store";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { layoutLineage } from "../lineage.js";
import { formFailure, formField, handOver, type PageRenderer, queryParam } from "../pages.js";
import { countStatuses, type GridStatus, gridStatuses, gridStatusOf, renderPartitionGrid } from "../partition-grid.js";
import type { WebOptions } from "../web-options.js";

/** Bar segments in legend order: the colours people know from Dagster. */
const barStatuses = ["materialized", "stale", "failed", "running", "queued", "missing"] as const;

/** The asset's worst state, for its lineage node and its row. */
function healthOf(counts: AssetHealth["counts"]): string {
  for (const status of ["failed", "running", "queued", "stale", "missing"] as const) {
    if (counts[status] > 0) return status;
  }
  return "materialized";
}

function barSegments(counts: Record<(typeof barStatuses)[number], number>, total: number) {
  return barStatuses
    .filter((status) => counts[status] > 0)
    .map((status) => ({ status, count: counts[status], percent: total === 0 ? 0 : (100 * counts[status]) / total }));
}

/** `/` (every asset, its health bar, the lineage) and `/assets/:key` (grid, SQL, forms, runs). */
export function assetPages(app: FastifyInstance, options: WebOptions, pages: PageRenderer): void {
  const { ctx, now, runQueue } = options;

  app.get("/", async (request, reply) => {
    const assets = await assetHealth(ctx, now());
    const rows = assets.map((asset) => ({
      ...asset,
      health: healthOf(asset.counts),
      bar: barSegments(asset.counts, asset.counts.total),
    }));
    const lineage = layoutLineage(rows.map((row) => ({ key: row.key, deps: row.deps, health: row.health })));
    const totals = Object.fromEntries(
      barStatuses.map((status) => [status, assets.reduce((sum, asset) => sum + asset.counts[status], 0)]),
    );
    return pages.send(request, reply, "assets.njk", { nav: "assets", assets: rows, lineage, totals, barStatuses });
  });

  const assetPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: { error?: string; status?: number; values?: Record<string, string | undefined> } = {},
  ) => {
    const key = (request.params as { key: string }).key;
    const [summary] = await assetSummaries(ctx, now(), key);
    if (!summary) {
      throw new AlmanacError(
        "ALMANAC_UNKNOWN_ASSET",
        `"${key}" is ephemeral: it is inlined into the models that ref it`,
      );
    }
    const model = ctx.project.models.get(key);
    const partitions = partitionsOf(ctx.project, key);
    const query = request.query;
    const filter = {
      from: queryParam(query, "from", 64),
      to: queryParam(query, "to", 64),
      status: queryParam(query, "status", 64),
    };
    let filterError: string | undefined;
    const statusFilter = new Set(
      (filter.status ?? "").split(",").filter((s): s is GridStatus => (gridStatuses as readonly string[]).includes(s)),
    );
    let grid: Awaited<ReturnType<typeof assetPartitionGrid>> | undefined;
    if (partitions) {
      try {
        grid = await assetPartitionGrid(ctx, key, { from: filter.from, to: filter.to, now: now() });
      } catch (error) {
        filterError = formFailure(error).message;
        grid = await assetPartitionGrid(ctx, key, { now: now() });
      }
    }
    const selected = queryParam(query, "partition", 64) ?? (partitions ? undefined : "");
    let rendered: { sql?: string; error?: string } | undefined;
    let partitionRow: Awaited<ReturnType<typeof getAssetPartition>> = null;
    let upstreamReads: ReturnType<typeof upstreamPartitionsOf> = [];
    if (selected !== undefined) {
      try {
        rendered = {
          sql: compileModel(ctx.project, key, {
            target: ctx.target,
            partition: partitions ? selected : undefined,
            now: now(),
          }),
        };
        partitionRow = await getAssetPartition(storeDb(ctx.store), key, selected);
        if (partitions) upstreamReads = upstreamPartitionsOf(ctx.project, key, selected);
      } catch (error) {
        rendered = { error: formFailure(error).message };
      }
    }
    const counts = grid ? countStatuses(grid.statuses) : undefined;
    const linkQuery = ["from", "to", "status"]
      .map((name) => [name, filter[name as keyof typeof filter]] as const)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name}=${encodeURIComponent(value ?? "")}&`)
      .join("");
    const matching =
      grid && statusFilter.size > 0
        ? grid.keys.filter((_, i) => statusFilter.has(gridStatusOf(grid?.statuses[i] ?? "-"))).slice(0, 200)
        : [];
    const runs = await listRuns(storeDb(ctx.store), { assetKey: key, limit: 10 });
    const downstream = [...ctx.project.models.values()].filter((m) => m.refs.includes(key)).map((m) => m.name);
    const defaultPartition = selected || grid?.last || "";
    return pages.send(
      request,
      reply,
      "asset.njk",
      {
        nav: "assets",
        asset: summary,
        model,
        downstream,
        partitions,
        grid,
        gridHtml: grid
          ? renderPartitionGrid({
              assetKey: key,
              partitionsType: grid.partitionsType,
              keys: grid.keys,
              statuses: grid.statuses,
              highlight: statusFilter.size > 0 ? statusFilter : undefined,
              selected,
              linkQuery,
            })
          : "",
        counts,
        bar: counts && grid ? barSegments(counts, grid.keys.length) : [],
        filter,
        filterError,
        gridStatuses,
        matching,
        selected,
        rendered,
        partitionRow,
        upstreamReads,
        runs: runs.runs,
        form: {
          error: form.error,
          partition: form.values?.partition ?? defaultPartition,
          from: form.values?.from ?? grid?.from ?? "",
          to: form.values?.to ?? grid?.to ?? "",
          policy: form.values?.policy ?? "",
          maxPartitionsPerRun: form.values?.maxPartitionsPerRun ?? "",
          only: form.values?.only ?? "",
          kind: form.values?.kind,
          upstream: form.values?.upstream !== undefined,
        },
      },
      form.status,
    );
  };

  app.get("/assets/:key", async (request, reply) => assetPage(request, reply));

  app.post("/assets/:key/materialize", async (request, reply) => {
    const key = (request.params as { key: string }).key;
    let partition: string | undefined;
    let upstream = false;
    try {
      partition = formField(request.body, "partition", 64);
      upstream = formField(request.body, "upstream", 8) !== undefined;
      const run = await requestRun(
        ctx,
        { select: upstream ? `+${key}` : key, partition: partitionsOf(ctx.project, key) ? partition : undefined },
        { now: now(), trigger: "api" },
      );
      await handOver(runQueue, [run], request);
      return reply.redirect(`/runs/${run.runId}`, 303);
    } catch (error) {
      const { status, message } = formFailure(error);
      return assetPage(request, reply, {
        error: message,
        status,
        values: { partition, kind: "materialize", upstream: upstream ? "on" : undefined },
      });
    }
  });

  app.post("/assets/:key/backfill", async (request, reply) => {
    const key = (request.params as { key: string }).key;
    // What was typed, shown again when the form comes back with an error.
    const values: Record<string, string | undefined> = { kind: "backfill" };
    try {
      for (const [name, max] of [
        ["from", 64],
        ["to", 64],
        ["policy", 32],
        ["maxPartitionsPerRun", 12],
        ["only", 32],
        ["upstream", 8],
      ] as const) {
        values[name] = formField(request.body, name, max);
      }
      if (values.from === undefined || values.to === undefined) {
        throw new AlmanacError("ALMANAC_BAD_REQUEST", "a backfill needs both the first and the last partition");
      }
      const policy =
        values.policy === undefined ? undefined : oneOf(values.policy, ["single_run", "multi_run"], "policy");
      const only =
        values.only === undefined || values.only === "all"
          ? undefined
          : oneOf(values.only, ["missing", "failed", "missing_or_failed"], "only");
      const max = values.maxPartitionsPerRun === undefined ? undefined : positiveInt(values.maxPartitionsPerRun);
      if (policy === "single_run" && max !== undefined) {
        throw new AlmanacError("ALMANAC_BAD_REQUEST", "partitions per run applies to the multi-run policy only");
      }
      const backfill = await requestBackfill(
        ctx,
        {
          select: values.upstream ? `+${key}` : key,
          from: values.from,
          to: values.to,
          policy,
          maxPartitionsPerRun: max,
          only,
        },
        { now: now(), maxPartitions: options.maxBackfillPartitions },
      );
      await handOver(runQueue, backfill.ready, request);
      return reply.redirect(`/backfills/${backfill.backfillId}`, 303);
    } catch (error) {
      const { status, message } = formFailure(error);
      return assetPage(request, reply, { error: message, status, values });
    }
  });
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new AlmanacError("ALMANAC_BAD_REQUEST", `${name} must be one of ${allowed.join(", ")}, not "${value}"`);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new AlmanacError(
      "ALMANAC_BAD_REQUEST",
      `partitions per run must be a whole number of at least 1, not "${value}"`,
    );
  }
  return n;
}
