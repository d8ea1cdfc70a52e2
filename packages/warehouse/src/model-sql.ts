/**
 * The model's rendered SELECT as Almanac embeds it in larger statements.
 *
 * Only the end is trimmed: a trailing `;` would end the statement early inside
 * `create table … as`, while leading lines are kept so that an error position still maps to the
 * same line number the user sees in the rendered SQL.
 */
export function modelSelect(renderedSql: string): string {
  return renderedSql.replace(/[\s;]+$/, "");
}

/** The alias {@link modelSubquery} gives the model's rows, for predicates on them. */
export const modelAlias = "almanac_model";

/**
 * `select * from (<model>) as almanac_model`, on separate lines so that a trailing `-- comment`
 * in the model cannot swallow the closing parenthesis. The inner `offset 0` is a planner fence:
 * without it Postgres pushes the window filter Almanac adds on the output (`date >= $1`) down
 * into the model, where a second, redundant condition on the same rows shrinks the row estimate
 * and can turn a hash join into a nested loop ten times slower (the taxi example's zone join).
 */
export function modelSubquery(select: string): string {
  return `select * from (select * from (\n${select}\n) as ${modelAlias} offset 0) as ${modelAlias}`;
}
