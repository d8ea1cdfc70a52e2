export { downstreamOf, upstreamOf } from "./dag.js";
export type { EphemeralCte } from "./ephemeral-ctes.js";
export { injectCtes } from "./ephemeral-ctes.js";
export type { LoadProjectOptions } from "./load-project.js";
export { loadProject } from "./load-project.js";
export { partitionsOf } from "./model-partitions.js";
export { quoteIdentifier } from "./relation.js";
export { relationOf, renderModel } from "./render-model.js";
export { selectModels } from "./select-models.js";
export type {
  BackfillPolicy,
  ColumnProperties,
  IncrementalStrategy,
  MacroFile,
  Materialization,
  Model,
  ModelConfig,
  OnSchemaChange,
  Project,
  Relation,
  RenderContext,
  RenderedModel,
  ScheduleConfig,
  Seed,
  SourceTable,
  Target,
} from "./types.js";
