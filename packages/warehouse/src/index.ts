export { materialize } from "./materialize.js";
export type { Column, RelationKind } from "./relations.js";
export { columnsOf, quoteIdentifier, quoteRelation, relationExists, relationKind } from "./relations.js";
export type {
  MaterializeRequest,
  MaterializeResult,
  Relation,
  SchemaChangePolicy,
  TimeWindow,
  WarehouseMaterialization,
  WarehouseStrategy,
} from "./types.js";
