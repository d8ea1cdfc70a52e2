import { AlmanacError } from "@almanac/errors";
import { pyRepr, splitArguments } from "./jinja-compat/python-values.js";

/**
 * dbt's cross-database macros (`dbt.date_trunc`, `dbt.dateadd`…) as dbt-postgres renders
 * them. The SQL is what dbt's `postgres__` / `default__` implementations produce, without
 * their incidental whitespace. Arguments are SQL fragments, as in dbt.
 */

function sql(value: unknown): string {
  return String(value);
}

// dbt interpolates the datepart unquoted into an interval literal; reject anything that is
// not a plain word so it cannot break out of the quotes.
function datepart(value: unknown, macro: string): string {
  const part = String(value).trim().toLowerCase();
  if (!/^[a-z_]+$/.test(part)) {
    throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `dbt.${macro}: unsupported datepart ${pyRepr(value)}`);
  }
  return part;
}

function datediff(first: unknown, second: unknown, part: unknown): string {
  const a = sql(first);
  const b = sql(second);
  const unit = datepart(part, "datediff");
  const partOf = (name: string, cast: string) =>
    `date_part('${name}', (${b})::${cast}) - date_part('${name}', (${a})::${cast})`;
  switch (unit) {
    case "year":
      return `(${partOf("year", "date")})`;
    case "quarter":
      return `(${datediff(a, b, "year")} * 4 + ${partOf("quarter", "date")})`;
    case "month":
      return `(${datediff(a, b, "year")} * 12 + ${partOf("month", "date")})`;
    case "day":
      return `((${b})::date - (${a})::date)`;
    case "week":
      return `(${datediff(a, b, "day")} / 7 + case when date_part('dow', (${a})::timestamp) <= date_part('dow', (${b})::timestamp) then case when ${a} <= ${b} then 0 else -1 end else case when ${a} <= ${b} then 1 else 0 end end)`;
    case "hour":
      return `(${datediff(a, b, "day")} * 24 + ${partOf("hour", "timestamp")})`;
    case "minute":
      return `(${datediff(a, b, "hour")} * 60 + ${partOf("minute", "timestamp")})`;
    case "second":
      return `(${datediff(a, b, "minute")} * 60 + floor(date_part('second', (${b})::timestamp)) - floor(date_part('second', (${a})::timestamp)))`;
    case "millisecond":
      return `(${datediff(a, b, "minute")} * 60000 + floor(date_part('millisecond', (${b})::timestamp)) - floor(date_part('millisecond', (${a})::timestamp)))`;
    default:
      throw new AlmanacError(
        "ALMANAC_TEMPLATE_ERROR",
        `dbt.datediff: unsupported datepart ${pyRepr(part)} on postgres`,
      );
  }
}

// Called from templates, so keyword arguments (`dbt.dateadd(datepart='day', …)`) are mapped
// onto the positional parameters by name.
function withKeywords(names: readonly string[], fn: (...args: unknown[]) => string) {
  return (...args: unknown[]) => {
    const { positional, keywords } = splitArguments(args);
    const values = names.map((name, i) => (i < positional.length ? positional[i] : keywords[name]));
    const missing = names.findIndex((_, i) => values[i] === undefined);
    if (missing >= 0 && missing < fn.length) {
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `dbt macro needs argument "${names[missing]}"`);
    }
    return fn(...values);
  };
}

/** The `dbt` namespace object templates see (`dbt.dateadd(…)`), for the postgres adapter. */
export const dbtCrossDbMacros: Readonly<Record<string, (...args: unknown[]) => string>> = Object.freeze({
  date_trunc: withKeywords(
    ["datepart", "date"],
    (part, date) => `date_trunc('${datepart(part, "date_trunc")}', ${sql(date)})`,
  ),
  dateadd: withKeywords(
    ["datepart", "interval", "from_date_or_timestamp"],
    (part, interval, from) => `${sql(from)} + ((interval '1 ${datepart(part, "dateadd")}') * (${sql(interval)}))`,
  ),
  datediff: withKeywords(["first_date", "second_date", "datepart"], datediff),
  safe_cast: withKeywords(["field", "type"], (field, type) => `cast(${sql(field)} as ${sql(type)})`),
  cast: withKeywords(["field", "type"], (field, type) => `cast(${sql(field)} as ${sql(type)})`),
  concat: withKeywords(["fields"], (fields) => {
    if (!Array.isArray(fields))
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", "dbt.concat needs a list of SQL expressions");
    return fields.map(sql).join(" || ");
  }),
  // dbt's `api.Column.translate_type` labels, which dbt-postgres does not override.
  type_string: () => "TEXT",
  type_timestamp: () => "TIMESTAMP",
  type_int: () => "INT",
  type_bigint: () => "bigint",
  type_numeric: () => "numeric(28,6)",
  type_float: () => "FLOAT",
  type_boolean: () => "BOOLEAN",
  current_timestamp: () => "now()",
  hash: withKeywords(["field"], (field) => `md5(cast(${sql(field)} as TEXT))`),
  any_value: withKeywords(["expression"], (expression) => `min(${sql(expression)})`),
  split_part: withKeywords(
    ["string_text", "delimiter_text", "part_number"],
    (text, delimiter, part) => `split_part(${sql(text)}, ${sql(delimiter)}, ${sql(part)})`,
  ),
  string_literal: withKeywords(["value"], (value) => `'${sql(value)}'`),
  escape_single_quotes: withKeywords(["expression"], (expression) => sql(expression).replaceAll("'", "''")),
  except: () => "except",
  intersect: () => "intersect",
  length: withKeywords(["expression"], (expression) => `length(${sql(expression)})`),
  position: withKeywords(
    ["substring_text", "string_text"],
    (substring, text) => `position(${sql(substring)} in ${sql(text)})`,
  ),
  replace: withKeywords(
    ["field", "old_chars", "new_chars"],
    (field, from, to) => `replace(${sql(field)}, ${sql(from)}, ${sql(to)})`,
  ),
  right: withKeywords(["string_text", "length_expression"], (text, length) => `right(${sql(text)}, ${sql(length)})`),
  last_day: withKeywords(["date", "datepart"], (date, part) => {
    // dbt-postgres: a quarter ends three months after it starts; other parts step one of themselves.
    const unit = datepart(part, "last_day");
    const [step, count] = unit === "quarter" ? ["month", 3] : [unit, 1];
    return `cast(date_trunc('${unit}', ${sql(date)}) + ((interval '1 ${step}') * (${count})) + ((interval '1 day') * (-1)) as date)`;
  }),
  bool_or: withKeywords(["expression"], (expression) => `bool_or(${sql(expression)})`),
  cast_bool_to_text: withKeywords(["field"], (field) => `cast(${sql(field)} as TEXT)`),
  listagg: withKeywords(
    ["measure", "delimiter_text", "order_by_clause", "limit_num"],
    (measure, delimiter = null, orderBy = null, limit = null) => {
      const separator = delimiter === undefined || delimiter === null ? "','" : sql(delimiter);
      const order = orderBy === undefined || orderBy === null ? "" : ` ${sql(orderBy)}`;
      if (limit === undefined || limit === null) return `string_agg(${sql(measure)}, ${separator}${order})`;
      return `array_to_string((array_agg(${sql(measure)}${order}))[1:${Number(limit)}], ${separator})`;
    },
  ),
  array_construct: withKeywords(["inputs", "data_type"], (inputs = [], type = undefined) => {
    const items = Array.isArray(inputs) ? inputs.map(sql) : [];
    return items.length > 0 ? `array[ ${items.join(" , ")} ]` : `array[]::${type === undefined ? "TEXT" : sql(type)}[]`;
  }),
  array_append: withKeywords(["array", "new_element"], (array, item) => `array_append(${sql(array)}, ${sql(item)})`),
  array_concat: withKeywords(["array_1", "array_2"], (first, second) => `array_cat(${sql(first)}, ${sql(second)})`),
  date: withKeywords(["year", "month", "day"], (year, month, day) => {
    const pad = (value: unknown, width: number) => String(Number(value)).padStart(width, "0");
    return `to_date('${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}', 'YYYY-MM-DD')`;
  }),
  equals: withKeywords(
    ["expr1", "expr2"],
    (a, b) => `case when ((${sql(a)} = ${sql(b)}) or (${sql(a)} is null and ${sql(b)} is null)) then 0 else 1 end = 0`,
  ),
});
