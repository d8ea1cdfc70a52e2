import { relationFor, type SchemaNamer } from "./relation.js";
import type { ColumnProperties, Project, Target } from "./types.js";
import { isMapping } from "./yaml-file.js";

/**
 * dbt's `graph` context variable: the project's nodes by unique id, as packages read them
 * (codegen lists models, reads `depends_on.nodes`, `columns` and `raw_code`; audit and docs
 * macros filter by `resource_type`). Plain objects, so templates use them as Python dicts.
 * Built once per project and target: it depends on nothing a render changes.
 */
export interface DbtGraph {
  readonly nodes: Record<string, Record<string, unknown>>;
  readonly sources: Record<string, Record<string, unknown>>;
  // dbt's other collections; Almanac reads none of those resources, so they are empty.
  readonly exposures: Record<string, never>;
  readonly metrics: Record<string, never>;
  readonly groups: Record<string, never>;
  readonly semantic_models: Record<string, never>;
  readonly saved_queries: Record<string, never>;
}

/** The graph of a render that has no project behind it (the parse at load). */
export const emptyDbtGraph: DbtGraph = Object.freeze({
  nodes: {},
  sources: {},
  exposures: {},
  metrics: {},
  groups: {},
  semantic_models: {},
  saved_queries: {},
});

const graphs = new WeakMap<Project, Map<string, DbtGraph>>();

export function dbtGraph(project: Project, target: Target, nameSchema: SchemaNamer | undefined): DbtGraph {
  let byTarget = graphs.get(project);
  if (byTarget === undefined) {
    byTarget = new Map();
    graphs.set(project, byTarget);
  }
  const key = `${target.name}\u0000${target.schema}\u0000${target.database ?? ""}`;
  let graph = byTarget.get(key);
  if (graph === undefined) {
    graph = buildGraph(project, target, nameSchema);
    byTarget.set(key, graph);
  }
  return graph;
}

function buildGraph(project: Project, target: Target, nameSchema: SchemaNamer | undefined): DbtGraph {
  const packageOf = (resource: { package?: string }) => resource.package ?? project.name;
  const modelId = (name: string) => {
    const model = project.models.get(name);
    if (model !== undefined) return `model.${packageOf(model)}.${name}`;
    return `seed.${project.name}.${name}`;
  };
  const sourceId = (sourceName: string, tableName: string) => `source.${project.name}.${sourceName}.${tableName}`;

  const nodes: Record<string, Record<string, unknown>> = {};
  for (const model of project.models.values()) {
    const relation = relationFor(target, model.name, model.config, nameSchema);
    const uniqueId = modelId(model.name);
    nodes[uniqueId] = {
      unique_id: uniqueId,
      name: model.name,
      resource_type: "model",
      package_name: packageOf(model),
      original_file_path: model.path,
      // dbt's `path` is relative to the model path (`staging/stg_orders.sql`).
      path: [...model.folders, model.path.split("/").pop()].join("/"),
      fqn: [packageOf(model), ...model.folders, model.name],
      database: target.database ?? null,
      schema: relation.schema,
      alias: relation.identifier,
      identifier: relation.identifier,
      config: { ...model.config },
      tags: [...(model.config.tags ?? [])],
      description: model.description ?? "",
      columns: columnsOf(model.columns),
      meta: {},
      language: "sql",
      raw_code: model.rawSql,
      raw_sql: model.rawSql,
      refs: [...model.refs, ...model.seedRefs].map((name) => ({ name, package: null, version: null })),
      sources: model.sources.map(([sourceName, tableName]) => [sourceName, tableName]),
      depends_on: {
        macros: [],
        nodes: [
          ...model.sources.map(([sourceName, tableName]) => sourceId(sourceName, tableName)),
          ...[...model.refs, ...model.seedRefs].map(modelId),
        ],
      },
    };
  }
  for (const seed of project.seeds.values()) {
    const relation = relationFor(target, seed.name, seed.config, nameSchema);
    const uniqueId = `seed.${project.name}.${seed.name}`;
    nodes[uniqueId] = {
      unique_id: uniqueId,
      name: seed.name,
      resource_type: "seed",
      package_name: project.name,
      original_file_path: seed.path,
      path: seed.path.split("/").slice(1).join("/"),
      database: target.database ?? null,
      schema: relation.schema,
      alias: relation.identifier,
      identifier: relation.identifier,
      config: { ...seed.config },
      columns: {},
      depends_on: { macros: [], nodes: [] },
    };
  }
  const sources: Record<string, Record<string, unknown>> = {};
  for (const table of project.sources.values()) {
    const uniqueId = sourceId(table.sourceName, table.tableName);
    sources[uniqueId] = {
      unique_id: uniqueId,
      name: table.tableName,
      source_name: table.sourceName,
      resource_type: "source",
      package_name: project.name,
      database: target.database ?? null,
      schema: table.schema,
      identifier: table.identifier,
      description: table.description ?? "",
      source_description: table.sourceDescription ?? "",
      // codegen's generate_base_model and generate_source read descriptions from here.
      columns: columnsOf(table.columns ?? []),
    };
  }
  return { ...emptyDbtGraph, nodes, sources };
}

/**
 * yml columns (of a model or source table) as dbt's graph keys them: by name, with `name`,
 * `description`, `data_type`, `meta`, `tags` and `quote`, dbt's defaults where unset.
 */
function columnsOf(written: readonly ColumnProperties[]): Record<string, Record<string, unknown>> {
  const columns: Record<string, Record<string, unknown>> = {};
  for (const column of written) {
    columns[column.name] = {
      name: column.name,
      description: column.description ?? "",
      data_type: column.data_type ?? null,
      meta: isMapping(column.meta) ? { ...column.meta } : {},
      tags: Array.isArray(column.tags) ? [...column.tags] : [],
      quote: typeof column.quote === "boolean" ? column.quote : null,
    };
  }
  return columns;
}
