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

/**
 * `select * from (<model>) as almanac_model`, on separate lines so that a trailing `-- comment`
 * in the model cannot swallow the closing parenthesis.
 */
export function modelSubquery(select: string): string {
  return `select * from (\n${select}\n) as almanac_model`;
}

/** The alias {@link modelSubquery} gives the model's rows, for predicates on them. */
export const modelAlias = "almanac_model";
