import { AlmanacError } from "@almanac/errors";
import { quoteIdentifier } from "./relation.js";

/**
 * A column as `adapter.get_columns_in_relation` returns it, with the fields and methods of
 * dbt's Column that packages call (`name`, `data_type`, `quoted`, `is_string()`…). Type tests
 * follow dbt-postgres's Column, on Postgres's `format_type` names.
 */
export class ColumnValue {
  readonly name: string;
  /** The type without its length, as dbt reads it from information_schema (`character varying`). */
  readonly dtype: string;
  /** `character varying(255)` → 255; null for types without a length. */
  readonly char_size: number | null;
  readonly #formatted: string;

  /** @param formatted - Postgres's `format_type`, e.g. `character varying(255)`, `numeric(10,2)`. */
  constructor(name: string, formatted: string) {
    this.name = name;
    this.#formatted = formatted;
    const sized = /^(character varying|character|varchar|char|bpchar)\((\d+)\)$/.exec(formatted);
    this.dtype = sized?.[1] ?? formatted;
    this.char_size = sized ? Number(sized[2]) : null;
  }

  get column(): string {
    return this.name;
  }

  /** dbt's `data_type`: strings as `character varying(n)` (256 for text), others as Postgres names them. */
  get data_type(): string {
    return this.is_string() ? `character varying(${this.string_size()})` : this.#formatted;
  }

  get quoted(): string {
    return quoteIdentifier(this.name);
  }

  /** dbt's `string_size()`: the length of a string column, 256 for text. */
  string_size(): number {
    if (!this.is_string()) {
      throw new AlmanacError("ALMANAC_TEMPLATE_ERROR", `string_size() called on the non-string column ${this.name}`);
    }
    return this.char_size ?? 256;
  }

  #base(): string {
    return this.dtype
      .replace(/\(.*\)$/, "")
      .trim()
      .toLowerCase();
  }

  is_string(): boolean {
    return ["text", "character varying", "character", "varchar", "char", "bpchar"].includes(this.#base());
  }

  is_integer(): boolean {
    return ["smallint", "integer", "bigint", "smallserial", "serial", "bigserial", "int2", "int4", "int8"].includes(
      this.#base(),
    );
  }

  is_float(): boolean {
    return ["real", "double precision", "float4", "float8"].includes(this.#base());
  }

  is_numeric(): boolean {
    return ["numeric", "decimal"].includes(this.#base());
  }

  is_number(): boolean {
    return this.is_integer() || this.is_float() || this.is_numeric();
  }

  toString(): string {
    return `<Column ${this.name} (${this.data_type})>`;
  }
}
