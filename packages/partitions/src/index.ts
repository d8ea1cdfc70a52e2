export {
  defaultKeyFormat,
  definePartitions,
  PARTITION_GRANULARITIES,
} from "./define-partitions.js";
export { keysForEventTime } from "./event-time-range.js";
export { countPartitions, partitionKeysInRange } from "./key-range.js";
export { firstPartitionKey, lastPartitionKey, partitionKeys } from "./last-partition.js";
export {
  keyForInstant,
  nextKey,
  partitionIndex,
  previousKey,
  validatePartitionKey,
  windowForKey,
} from "./partition-key.js";
export type { KeyRange, TimeWindowMapping } from "./partition-mapping.js";
export { downstreamKeysOf, overlapMapping, upstreamKeysOf } from "./partition-mapping.js";
export type {
  PartitionGranularity,
  PartitionsDefinition,
  PartitionsDefinitionConfig,
  PartitionWindow,
  WindowBounds,
  WindowVars,
} from "./types.js";
export { windowBounds, windowVars } from "./window-bounds.js";
