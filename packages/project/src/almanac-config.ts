import { type AlmanacError, isAlmanacError } from "@almanac/errors";
import {
  definePartitions,
  type PartitionsDefinition,
  type PartitionsDefinitionConfig,
  type TimeWindowMapping,
} from "@almanac/partitions";
import { didYouMean } from "./did-you-mean.js";
import { type FreshnessPolicy, parseFreshness } from "./freshness-config.js";
import { type NotificationConfig, parseNotifications } from "./notifications-config.js";
import { cronProblem, defaultScheduleCron } from "./schedule-cron.js";
import type { BackfillPolicy, ScheduleConfig } from "./types.js";
import {
  formatKeyPath,
  isMapping,
  optionalString,
  rejectUnknownKeys,
  requiredString,
  type YamlFile,
} from "./yaml-file.js";

/** One `assets:` entry: the models its selection picks are partitioned by `partitions`. */
export interface AssetRule {
  /** Position in `assets:`, for messages (`assets[1].select`). */
  readonly index: number;
  readonly select: string;
  /** Absent for a rule that only sets other keys (`automation:` of unpartitioned models). */
  readonly partitions?: string;
  readonly backfillPolicy?: BackfillPolicy;
  /** `deps:`: the partition mapping of each named dependency (checked against the models later). */
  readonly deps?: ReadonlyMap<string, TimeWindowMapping>;
  /** `automation: eager`: the selected assets follow updates of what they read. */
  readonly automation?: AutomationPolicy;
  /** `freshness: {max_lag: 26h}`: when the selected assets' latest partition is overdue. */
  readonly freshness?: FreshnessPolicy;
}

/** The automation conditions an asset rule may name; only Dagster's `eager` so far. */
export const automationPolicies = ["eager"] as const;
export type AutomationPolicy = (typeof automationPolicies)[number];

/** almanac.yml, checked for shape; selections are checked once the models are known. */
export interface AlmanacConfig {
  readonly partitions: ReadonlyMap<string, PartitionsDefinition>;
  readonly assets: readonly AssetRule[];
  readonly schedules: readonly ScheduleConfig[];
  /** `sources:`: the partitions definition a source table's events are reported in, by `source.table`. */
  readonly sources: ReadonlyMap<string, { readonly partitions: string; readonly index: number }>;
  /** `notifications:`: webhooks to POST events to. */
  readonly notifications: readonly NotificationConfig[];
}

/** The config of a project without almanac.yml: nothing is partitioned. */
export const emptyAlmanacConfig: AlmanacConfig = {
  partitions: new Map(),
  assets: [],
  schedules: [],
  sources: new Map(),
  notifications: [],
};

/**
 * Parses almanac.yml (DESIGN §5): partitions definitions (snake_case keys mapped to
 * `definePartitions`' config), asset rules and schedules. Every error is
 * ALMANAC_BAD_PROJECT_CONFIG with a message `almanac.yml: <key path> …` and the line in details.
 */
export function parseAlmanacConfig(file: YamlFile): AlmanacConfig {
  const data = file.data ?? {};
  if (!isMapping(data)) throw file.error([], "must be a mapping with partitions, assets and schedules");
  rejectUnknownKeys(file, [], data, ["version", "partitions", "assets", "schedules", "sources", "notifications"]);
  const partitions = parsePartitions(file, data.partitions);
  return {
    partitions,
    assets: listAt(file, "assets", data.assets).map((entry, index) => parseAssetRule(file, partitions, entry, index)),
    schedules: parseSchedules(file, partitions, data.schedules),
    sources: parseSources(file, partitions, data.sources),
    notifications: parseNotifications(file, data.notifications),
  };
}

/** `sources: [{name: raw.events, partitions: hourly}]`; the names are checked against the project later. */
function parseSources(
  file: YamlFile,
  partitions: ReadonlyMap<string, PartitionsDefinition>,
  value: unknown,
): Map<string, { partitions: string; index: number }> {
  const sources = new Map<string, { partitions: string; index: number }>();
  listAt(file, "sources", value).forEach((entry, index) => {
    const at = ["sources", index];
    if (!isMapping(entry)) throw file.error(at, `sources[${index}] must be a mapping with name and partitions`);
    rejectUnknownKeys(file, at, entry, ["name", "partitions"]);
    const name = requiredString(file, [...at, "name"], entry.name);
    if (!/^[^.\s]+\.[^.\s]+$/.test(name)) {
      throw file.error(
        [...at, "name"],
        `sources[${index}].name "${name}" must be source.table, as source('source', 'table') names it`,
      );
    }
    if (sources.has(name)) throw file.error([...at, "name"], `sources[${index}].name "${name}" is listed twice`);
    sources.set(name, {
      partitions: knownPartitions(file, partitions, [...at, "partitions"], entry.partitions),
      index,
    });
  });
  return sources;
}

function listAt(file: YamlFile, key: string, value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw file.error([key], `${key} must be a list`);
  return value;
}

function parsePartitions(file: YamlFile, value: unknown): Map<string, PartitionsDefinition> {
  const definitions = new Map<string, PartitionsDefinition>();
  if (value === undefined || value === null) return definitions;
  if (!isMapping(value)) throw file.error(["partitions"], "partitions must be a mapping of name: definition");
  for (const [name, entry] of Object.entries(value)) {
    const at = ["partitions", name];
    if (!isMapping(entry)) throw file.error(at, `partitions.${name} must be a mapping (type, start, timezone…)`);
    rejectUnknownKeys(file, at, entry, ["type", "start", "end", "timezone", "end_offset", "format"]);
    const config = {
      name,
      type: requiredString(file, [...at, "type"], entry.type),
      start: dateText(file, [...at, "start"], entry.start, true),
      end: dateText(file, [...at, "end"], entry.end, false),
      timezone: optionalString(file, [...at, "timezone"], entry.timezone),
      endOffset: integerAt(file, [...at, "end_offset"], entry.end_offset),
      format: optionalString(file, [...at, "format"], entry.format),
    };
    // Leave out unset keys so definePartitions applies its own defaults.
    const defined = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
    try {
      definitions.set(name, definePartitions(defined as unknown as PartitionsDefinitionConfig));
    } catch (error) {
      if (!isAlmanacError(error)) throw error;
      throw definitionError(file, name, error);
    }
  }
  return definitions;
}

const yamlKeyOf: Readonly<Record<string, string>> = {
  type: "type",
  start: "start",
  end: "end",
  timezone: "timezone",
  endOffset: "end_offset",
  end_offset: "end_offset",
  format: "format",
};

/**
 * Rewords definePartitions' error as a key of almanac.yml: `partitions definition "daily":
 * timezone "Mars/Base" is not…` becomes `almanac.yml: partitions.daily.timezone "Mars/Base" is
 * not…`, so the message names the key the user has to fix.
 */
function definitionError(file: YamlFile, name: string, error: AlmanacError): AlmanacError {
  const reason = error.message.replace(/^partitions definition "[^"]*":\s*/, "");
  const field = /^(\w+)\b/.exec(reason)?.[1];
  const key = field === undefined ? undefined : yamlKeyOf[field];
  if (key === undefined) return file.error(["partitions", name], `partitions.${name}: ${reason}`, undefined, error);
  const text = `partitions.${name}.${key}${reason.slice(field?.length ?? 0)}`;
  return file.error(["partitions", name, key], text, "ALMANAC_BAD_PROJECT_CONFIG", error);
}

// YAML reads `start: 2024-01-01` as a string (1.2 core schema), but `start: 2024` is a number;
// take any scalar as text and let definePartitions judge it.
function dateText(file: YamlFile, at: (string | number)[], value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw file.error(at, `${formatKeyPath(at)} is required`);
    return undefined;
  }
  if (typeof value === "string" || typeof value === "number") return String(value);
  throw file.error(at, `${formatKeyPath(at)} must be a date like 2024-01-01, got ${JSON.stringify(value)}`);
}

function integerAt(file: YamlFile, at: (string | number)[], value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  throw file.error(at, `${formatKeyPath(at)} must be an integer, got ${JSON.stringify(value)}`);
}

function knownPartitions(
  file: YamlFile,
  partitions: ReadonlyMap<string, PartitionsDefinition>,
  at: (string | number)[],
  value: unknown,
): string {
  const name = requiredString(file, at, value);
  if (!partitions.has(name)) {
    const known = [...partitions.keys()];
    const listed = known.length === 0 ? "almanac.yml defines none" : `defined: ${known.join(", ")}`;
    throw file.error(
      at,
      `${formatKeyPath(at)} "${name}" names no partitions definition${didYouMean(name, known)} (${listed})`,
    );
  }
  return name;
}

function parseAssetRule(
  file: YamlFile,
  partitions: ReadonlyMap<string, PartitionsDefinition>,
  entry: unknown,
  index: number,
): AssetRule {
  const at = ["assets", index];
  if (!isMapping(entry)) throw file.error(at, `assets[${index}] must be a mapping with select and partitions`);
  rejectUnknownKeys(file, at, entry, ["select", "partitions", "backfill_policy", "deps", "automation", "freshness"]);
  return {
    index,
    select: requiredString(file, [...at, "select"], entry.select),
    ...(entry.partitions === undefined && entry.automation !== undefined
      ? {}
      : { partitions: knownPartitions(file, partitions, [...at, "partitions"], entry.partitions) }),
    ...(entry.backfill_policy === undefined || entry.backfill_policy === null
      ? {}
      : { backfillPolicy: parseBackfillPolicy(file, [...at, "backfill_policy"], entry.backfill_policy) }),
    ...(entry.deps === undefined || entry.deps === null ? {} : { deps: parseDeps(file, [...at, "deps"], entry.deps) }),
    ...(entry.automation === undefined || entry.automation === null
      ? {}
      : { automation: parseAutomation(file, [...at, "automation"], entry.automation) }),
    ...(entry.freshness === undefined
      ? {}
      : { freshness: parseFreshness(file, [...at, "freshness"], entry.freshness) }),
  };
}

function parseAutomation(file: YamlFile, at: (string | number)[], value: unknown): AutomationPolicy {
  const policy = automationPolicies.find((known) => known === value);
  if (policy === undefined) {
    throw file.error(
      at,
      `${formatKeyPath(at)}: unknown automation ${JSON.stringify(value)}${didYouMean(String(value), automationPolicies)} (known: ${automationPolicies.join(", ")})`,
    );
  }
  return policy;
}

/** `deps: {upstream: {start_offset: -6, end_offset: 0}}`, Dagster's TimeWindowPartitionMapping. */
function parseDeps(file: YamlFile, at: (string | number)[], value: unknown): Map<string, TimeWindowMapping> {
  const where = formatKeyPath(at);
  if (!isMapping(value)) throw file.error(at, `${where} must map upstream model names to {start_offset, end_offset}`);
  const deps = new Map<string, TimeWindowMapping>();
  for (const [name, mapping] of Object.entries(value)) {
    const mappingAt = [...at, name];
    if (!isMapping(mapping)) {
      throw file.error(mappingAt, `${formatKeyPath(mappingAt)} must be {start_offset: N, end_offset: M}`);
    }
    rejectUnknownKeys(file, mappingAt, mapping, ["start_offset", "end_offset"]);
    const startOffset = integerAt(file, [...mappingAt, "start_offset"], mapping.start_offset) ?? 0;
    const endOffset = integerAt(file, [...mappingAt, "end_offset"], mapping.end_offset) ?? 0;
    if (startOffset > endOffset) {
      throw file.error(
        mappingAt,
        `${formatKeyPath(mappingAt)}: start_offset ${startOffset} is after end_offset ${endOffset}, so it maps to no partition`,
      );
    }
    deps.set(name, Object.freeze({ startOffset, endOffset }));
  }
  return deps;
}

function parseBackfillPolicy(file: YamlFile, at: (string | number)[], value: unknown): BackfillPolicy {
  const where = formatKeyPath(at);
  if (!isMapping(value)) throw file.error(at, `${where} must be {type: single_run} or {type: multi_run, …}`);
  rejectUnknownKeys(file, at, value, ["type", "max_partitions_per_run"]);
  const max = value.max_partitions_per_run;
  if (value.type === "single_run") {
    if (max !== undefined) throw file.error(at, `${where}.max_partitions_per_run only applies to type multi_run`);
    return { type: "single_run" };
  }
  if (value.type !== "multi_run") {
    throw file.error(
      [...at, "type"],
      `${where}.type must be single_run or multi_run, got ${JSON.stringify(value.type)}`,
    );
  }
  if (max === undefined) return { type: "multi_run", maxPartitionsPerRun: 1 };
  if (typeof max !== "number" || !Number.isInteger(max) || max < 1) {
    throw file.error([...at, "max_partitions_per_run"], `${where}.max_partitions_per_run must be a positive integer`);
  }
  return { type: "multi_run", maxPartitionsPerRun: max };
}

function parseSchedules(
  file: YamlFile,
  partitions: ReadonlyMap<string, PartitionsDefinition>,
  value: unknown,
): ScheduleConfig[] {
  const seen = new Set<string>();
  return listAt(file, "schedules", value).map((entry, index) => {
    const at = ["schedules", index];
    if (!isMapping(entry)) throw file.error(at, `schedules[${index}] must be a mapping with name, select, cron…`);
    rejectUnknownKeys(file, at, entry, ["name", "select", "partitions", "cron", "timezone", "lookback"]);
    const name = requiredString(file, [...at, "name"], entry.name);
    // The name is a URL path segment (/api/schedules/:name) and a BullMQ scheduler id.
    if (!schedulePattern.test(name)) {
      throw file.error(
        [...at, "name"],
        `schedules[${index}].name "${name}" must start with a letter and hold only letters, digits, _ . - (at most 100)`,
      );
    }
    if (seen.has(name)) throw file.error([...at, "name"], `schedules[${index}].name "${name}" is used twice`);
    seen.add(name);
    const partitionsName = knownPartitions(file, partitions, [...at, "partitions"], entry.partitions);
    // A schedule ticks in its partitions' zone unless it says otherwise.
    const timezone =
      optionalString(file, [...at, "timezone"], entry.timezone) ?? partitions.get(partitionsName)?.timezone ?? "UTC";
    if (!isIanaZone(timezone)) {
      throw file.error([...at, "timezone"], `schedules[${index}].timezone "${timezone}" is not an IANA zone`);
    }
    const definition = partitions.get(partitionsName);
    // No cron: one tick per window of the partitions definition (daily: `0 0 * * *`).
    const cron =
      optionalString(file, [...at, "cron"], entry.cron)?.trim() ??
      (definition ? defaultScheduleCron(definition.type) : "0 0 * * *");
    const problem = cronProblem(cron, timezone);
    if (problem !== undefined) {
      throw file.error(
        [...at, "cron"],
        `schedules[${index}].cron "${cron}" is not a valid cron expression: ${problem}`,
      );
    }
    const lookback = integerAt(file, [...at, "lookback"], entry.lookback) ?? 0;
    if (lookback < 0) {
      throw file.error([...at, "lookback"], `schedules[${index}].lookback must be 0 or more, got ${lookback}`);
    }
    return {
      name,
      select: requiredString(file, [...at, "select"], entry.select),
      partitions: partitionsName,
      cron,
      timezone,
      lookback,
    };
  });
}

/** Schedule names: a letter, then letters, digits, `_`, `.`, `-`. */
const schedulePattern = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
