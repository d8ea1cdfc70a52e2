import { partitionKeysInRange, windowBounds, windowVars } from "@almanac/partitions";
import { type Project, partitionsOf, quoteIdentifier, relationOf, renderModel, type Target } from "@almanac/project";

/** Quoted `schema.table` of a model. */
export function quotedRelation(project: Project, model: string, target: Target): string {
  const relation = relationOf(project, model, target);
  return `${quoteIdentifier(relation.schema)}.${quoteIdentifier(relation.identifier)}`;
}

/**
 * The baseline's script for one partition: for each model, in DAG order, the model's own SELECT
 * rendered by Almanac for that day, written the way a careful engineer would by hand:
 * `begin; delete the window; insert the window; commit;` — one transaction per model-partition.
 */
export function partitionScripts(
  project: Project,
  models: readonly string[],
  from: string,
  to: string,
  target: Target,
): string[] {
  const first = models[0];
  const partitions = first === undefined ? undefined : partitionsOf(project, first);
  if (partitions === undefined) throw new Error(`${first} is not partitioned`);
  return partitionKeysInRange(partitions, from, to).map((key) => {
    const vars = windowVars(windowBounds(partitions, key, key));
    return models
      .map((model) => {
        const rendered = renderModel(project, model, { target, vars, isIncremental: true });
        const table = quotedRelation(project, model, target);
        const time = quoteIdentifier(String(rendered.config.event_time));
        return `begin;
delete from ${table} where ${time} >= '${vars.min_date}' and ${time} < '${vars.max_date}';
insert into ${table}
${rendered.sql};
commit;
`;
      })
      .join("");
  });
}
