/**
 * dbt 1.9's microbatch models (`incremental_strategy='microbatch'` with `event_time`, `begin`,
 * `batch_size`): partitioned without any almanac.yml entry. Each batch is one partition of a
 * UTC definition starting at `begin`, one window per `batch_size` — unless an asset rule or the
 * model's `partitions` config gives it a definition, which then wins. Unlike dbt, Almanac
 * records every batch's status, so a failed batch is retried alone and a done one never reruns
 * by accident.
 */
import { AlmanacError, isAlmanacError } from "@almanac/errors";
import { definePartitions, type PartitionGranularity, type PartitionsDefinition } from "@almanac/partitions";
import { lineOfQuoted } from "./parse-model.js";
import type { Model } from "./types.js";

const granularityOf: Readonly<Record<string, PartitionGranularity>> = {
  hour: "hourly",
  day: "daily",
  month: "monthly",
  year: "yearly",
};

export function isMicrobatch(model: Pick<Model, "config">): boolean {
  return model.config.materialized === "incremental" && model.config.incremental_strategy === "microbatch";
}

/** dbt's default `lookback`: the batch before the latest is run again. */
const defaultMicrobatchLookback = 1;

/**
 * The batches before its target that a scheduled run of `models` runs again: the largest
 * `lookback` of the microbatch models among them (dbt's default 1), 0 when there are none.
 */
export function microbatchLookback(models: Iterable<Model>): number {
  let lookback = 0;
  for (const model of models) {
    if (!isMicrobatch(model)) continue;
    const own = model.config.lookback;
    lookback = Math.max(lookback, typeof own === "number" ? own : defaultMicrobatchLookback);
  }
  return lookback;
}

/**
 * Gives each microbatch model without partitions its definition (one per `batch_size` and
 * `begin`, shared by models that agree), and checks every microbatch model's config.
 * @throws AlmanacError ALMANAC_BAD_MODEL_CONFIG at the model's file and line, naming the key
 */
export function applyMicrobatch(
  models: ReadonlyMap<string, Model>,
  partitions: ReadonlyMap<string, PartitionsDefinition>,
): { models: Map<string, Model>; partitions: Map<string, PartitionsDefinition> } {
  const allModels = new Map(models);
  const allPartitions = new Map(partitions);
  for (const model of models.values()) {
    if (!isMicrobatch(model)) continue;
    const { event_time: eventTime, begin, batch_size: batchSize, lookback } = model.config;
    const fail = (text: string) => microbatchError(model, text);
    if (typeof eventTime !== "string" || eventTime === "") {
      throw fail("needs event_time: the column each batch is filtered on, e.g. config(event_time='occurred_at')");
    }
    if (lookback !== undefined && !(Number.isInteger(lookback) && (lookback as number) >= 0)) {
      throw fail(`lookback must be a whole number of batches, 0 or more, got ${JSON.stringify(lookback)}`);
    }
    const type = typeof batchSize === "string" ? granularityOf[batchSize] : undefined;
    if (type === undefined) {
      throw fail(
        batchSize === undefined
          ? "needs batch_size: one of hour, day, month, year"
          : `batch_size ${JSON.stringify(batchSize)} is not one of hour, day, month, year`,
      );
    }
    if (model.config.partitions !== undefined) continue;
    if (typeof begin !== "string" || begin.trim() === "") {
      throw fail("needs begin: the start of the first batch, e.g. config(begin='2024-01-01')");
    }
    const start = begin.trim().replace(" ", "T");
    const name = `microbatch_${batchSize}_${start.slice(0, 10)}`;
    if (!allPartitions.has(name)) {
      try {
        allPartitions.set(name, definePartitions({ name, type, start, timezone: "UTC" }));
      } catch (error) {
        if (!isAlmanacError(error)) throw error;
        throw fail(
          `begin ${JSON.stringify(begin)}: ${error.message.replace(/^partitions definition "[^"]*":\s*/, "")}`,
        );
      }
    }
    allModels.set(model.name, { ...model, config: Object.freeze({ ...model.config, partitions: name }) });
  }
  return { models: allModels, partitions: allPartitions };
}

function microbatchError(model: Model, text: string): AlmanacError {
  const line = lineOfQuoted(model.rawSql, "microbatch");
  const where = line === undefined ? model.path : `${model.path}:${line}`;
  return new AlmanacError("ALMANAC_BAD_MODEL_CONFIG", `${where}: microbatch model "${model.name}" ${text}`, {
    file: model.path,
    line,
  });
}
