import { AlmanacError } from "@almanac/errors";
import type { ConfigLayer } from "./model-config.js";
import type { ColumnProperties, RelationQuoting, SourceTable } from "./types.js";
import { isMapping, optionalString, requiredString, type YamlFile, type YamlPath } from "./yaml-file.js";

/** A model's entry under `models:` (or a seed's under `seeds:`) in a properties yml. */
export interface ModelProperties {
  readonly name: string;
  /** The yml file that describes the model, relative to the project dir. */
  readonly file: string;
  readonly config: ConfigLayer;
  readonly description?: string;
  readonly columns: readonly ColumnProperties[];
  /** Model-level tests (`tests:` or `data_tests:`), as written. */
  readonly tests: readonly unknown[];
}

/** Sources and model properties gathered from every `models/**\/*.yml`. */
export interface PropertiesCatalog {
  /** By `sourceName.tableName`. */
  readonly sources: Map<string, SourceTable & { readonly file: string }>;
  readonly models: Map<string, ModelProperties>;
  /** `seeds:` entries: columns and tests of seeds. */
  readonly seeds: Map<string, ModelProperties>;
}

/** An empty catalog to add properties files to, in path order. */
export function emptyCatalog(): PropertiesCatalog {
  return { sources: new Map(), models: new Map(), seeds: new Map() };
}

/**
 * Adds the `sources:`, `models:` and `seeds:` of one properties file to `catalog`. Other
 * top-level keys (`version`, `macros`, `exposures`, `semantic_models`…) are skipped.
 * A source table or model described twice is an error naming both files.
 */
export function addPropertiesFile(catalog: PropertiesCatalog, file: YamlFile): void {
  const data = file.data;
  if (data === null || data === undefined) return;
  if (!isMapping(data)) throw file.error([], "a properties file must be a mapping (version, sources, models…)");
  addSources(catalog, file, data.sources);
  addResources(catalog.models, "models", file, data.models);
  addResources(catalog.seeds, "seeds", file, data.seeds);
  // Snapshots share the models' names (ref finds both), so their properties share the map.
  addResources(catalog.models, "snapshots", file, data.snapshots);
}

function listAt(file: YamlFile, key: string, value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw file.error([key], `${key} must be a list`);
  return value;
}

function addSources(catalog: PropertiesCatalog, file: YamlFile, value: unknown): void {
  listAt(file, "sources", value).forEach((source, i) => {
    if (!isMapping(source)) throw file.error(["sources", i], `sources[${i}] must be a mapping with name and tables`);
    const sourceName = requiredString(file, ["sources", i, "name"], source.name);
    // dbt's default: a source's schema is its name.
    const schema = optionalString(file, ["sources", i, "schema"], source.schema) ?? sourceName;
    const sourceDescription = optionalString(file, ["sources", i, "description"], source.description);
    const sourceQuoting = quotingOf(file, ["sources", i, "quoting"], source.quoting, {
      schema: true,
      identifier: true,
    });
    listAt(file, `sources[${i}].tables`, source.tables).forEach((table, j) => {
      const at = ["sources", i, "tables", j];
      if (!isMapping(table)) throw file.error(at, `sources[${i}].tables[${j}] must be a mapping with name`);
      const tableName = requiredString(file, [...at, "name"], table.name);
      const identifier = optionalString(file, [...at, "identifier"], table.identifier) ?? tableName;
      const key = `${sourceName}.${tableName}`;
      const existing = catalog.sources.get(key);
      if (existing) {
        throw new AlmanacError(
          "ALMANAC_BAD_PROJECT_CONFIG",
          `source("${sourceName}", "${tableName}") is defined twice (${existing.file}, ${file.path})`,
          { file: file.path, line: file.lineOf(at), otherFile: existing.file },
        );
      }
      const quoting = quotingOf(file, [...at, "quoting"], table.quoting, sourceQuoting);
      const eventTime =
        configEventTime(file, [...at, "config"], table.config) ??
        configEventTime(file, ["sources", i, "config"], source.config);
      const description = optionalString(file, [...at, "description"], table.description);
      const columns = columnsOf(file, at, `sources[${i}].tables[${j}]`, table.columns);
      catalog.sources.set(key, {
        sourceName,
        tableName,
        schema,
        identifier,
        quoting,
        file: file.path,
        ...(eventTime === undefined ? {} : { eventTime }),
        ...(description === undefined ? {} : { description }),
        ...(sourceDescription === undefined ? {} : { sourceDescription }),
        ...(columns.length === 0 ? {} : { columns }),
      });
    });
  });
}

function addResources(
  into: Map<string, ModelProperties>,
  kind: "models" | "seeds" | "snapshots",
  file: YamlFile,
  value: unknown,
): void {
  const singular = kind === "models" ? "model" : kind === "seeds" ? "seed" : "snapshot";
  listAt(file, kind, value).forEach((entry, i) => {
    if (!isMapping(entry)) throw file.error([kind, i], `${kind}[${i}] must be a mapping with name`);
    const name = requiredString(file, [kind, i, "name"], entry.name);
    const existing = into.get(name);
    if (existing) {
      throw new AlmanacError(
        "ALMANAC_BAD_PROJECT_CONFIG",
        `${singular} "${name}" has properties in two files (${existing.file}, ${file.path})`,
        { file: file.path, line: file.lineOf([kind, i]), otherFile: existing.file },
      );
    }
    const config = entry.config ?? {};
    if (!isMapping(config)) throw file.error([kind, i, "config"], `${kind}[${i}].config must be a mapping`);
    const description = optionalString(file, [kind, i, "description"], entry.description);
    into.set(name, {
      name,
      file: file.path,
      config,
      ...(description === undefined ? {} : { description }),
      columns: columnsOf(file, [kind, i], `${kind}[${i}]`, entry.columns),
      tests: ["tests", "data_tests"].flatMap((key) => listAt(file, `${kind}[${i}].${key}`, entry[key])),
    });
  });
}

/** The `columns:` of the resource at `resource` (a model, seed or source table), named `label` in errors. */
function columnsOf(file: YamlFile, resource: YamlPath, label: string, value: unknown): ColumnProperties[] {
  return listAt(file, `${label}.columns`, value).map((column, k) => {
    const at = [...resource, "columns", k];
    if (!isMapping(column)) throw file.error(at, `${label}.columns[${k}] must be a mapping with name`);
    return { ...column, name: requiredString(file, [...at, "name"], column.name) };
  });
}

/** `config: {event_time: col}` of a source or source table (dbt 1.9), if set. */
function configEventTime(file: YamlFile, at: YamlPath, config: unknown): string | undefined {
  if (config === undefined || config === null) return undefined;
  if (!isMapping(config)) throw file.error(at, "config must be a mapping like {event_time: loaded_at}");
  return optionalString(file, [...at, "event_time"], config.event_time);
}

/** dbt's `quoting: {schema: false, identifier: false}`; unset keys keep `inherited`. `database` is ignored. */
function quotingOf(file: YamlFile, at: YamlPath, value: unknown, inherited: RelationQuoting): RelationQuoting {
  if (value === undefined || value === null) return inherited;
  if (!isMapping(value)) throw file.error(at, "quoting must be a mapping like {identifier: false}");
  const flag = (key: "schema" | "identifier") => {
    const setting = value[key];
    if (setting === undefined) return inherited[key];
    if (typeof setting !== "boolean") throw file.error([...at, key], `quoting.${key} must be true or false`);
    return setting;
  };
  return { schema: flag("schema"), identifier: flag("identifier") };
}
