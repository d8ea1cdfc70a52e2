import { readFile } from "node:fs/promises";
import { AlmanacError, type ErrorCode } from "@almanac/errors";
import { type Document, LineCounter, parseDocument } from "yaml";

/** A key path inside a YAML file, e.g. `["partitions", "daily", "timezone"]`. */
export type YamlPath = readonly (string | number)[];

/**
 * A parsed YAML file that remembers where each value was written, so a validation error can
 * say `almanac.yml: partitions.daily.timezone …` and carry the line in `details`.
 */
export class YamlFile {
  /** Path relative to the project dir, e.g. `almanac.yml`. */
  readonly path: string;
  /** The document as plain JS (YAML 1.2 core schema: dates stay strings). */
  readonly data: unknown;
  readonly #document: Document;
  readonly #lines: LineCounter;

  private constructor(path: string, document: Document, lines: LineCounter) {
    this.path = path;
    this.#document = document;
    this.#lines = lines;
    this.data = document.toJS();
  }

  /** Parses `text`; a YAML syntax error becomes ALMANAC_BAD_PROJECT_CONFIG with the line. */
  static parse(path: string, text: string): YamlFile {
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const [error] = document.errors;
    if (error) {
      const line = error.linePos?.[0]?.line;
      const where = line === undefined ? path : `${path}:${line}`;
      const reason = error.message.split("\n")[0] ?? error.message;
      throw new AlmanacError("ALMANAC_BAD_PROJECT_CONFIG", `${where}: invalid YAML: ${reason}`, { file: path, line });
    }
    return new YamlFile(path, document, lines);
  }

  /** Reads and parses `absolutePath`, reported as `path`. */
  static async read(absolutePath: string, path: string): Promise<YamlFile> {
    return YamlFile.parse(path, await readFile(absolutePath, "utf8"));
  }

  /**
   * 1-based line where the value at `keyPath` starts; for a key that is missing, the line of
   * the nearest enclosing value that exists.
   */
  lineOf(keyPath: YamlPath): number | undefined {
    for (let length = keyPath.length; length > 0; length--) {
      const node = this.#document.getIn(keyPath.slice(0, length), true) as
        | { range?: [number, number, number] }
        | undefined;
      const offset = node?.range?.[0];
      if (offset !== undefined) return this.#lines.linePos(offset).line;
    }
    return undefined;
  }

  /** An error about the value at `keyPath`: message `<file>: <text>`, details `{file, line, key}`. */
  error(
    keyPath: YamlPath,
    text: string,
    code: ErrorCode = "ALMANAC_BAD_PROJECT_CONFIG",
    cause?: unknown,
  ): AlmanacError {
    const details = { file: this.path, line: this.lineOf(keyPath), key: formatKeyPath(keyPath) };
    return new AlmanacError(code, `${this.path}: ${text}`, details, cause === undefined ? undefined : { cause });
  }
}

/** `["assets", 0, "select"]` → `assets[0].select`, the way the messages name a key. */
export function formatKeyPath(keyPath: YamlPath): string {
  let text = "";
  for (const key of keyPath) text += typeof key === "number" ? `[${key}]` : text === "" ? key : `.${key}`;
  return text;
}

/** True for a plain mapping (not null, not a list). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads an optional string at `keyPath`; anything else but a string is an error. */
export function optionalString(file: YamlFile, keyPath: YamlPath, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw file.error(keyPath, `${formatKeyPath(keyPath)} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads a required string at `keyPath`. */
export function requiredString(file: YamlFile, keyPath: YamlPath, value: unknown): string {
  const text = optionalString(file, keyPath, value);
  if (text === undefined) throw file.error(keyPath, `${formatKeyPath(keyPath)} is required`);
  return text;
}

/** Rejects keys outside `allowed`, so a typo (`end_ofset`) is an error rather than ignored. */
export function rejectUnknownKeys(
  file: YamlFile,
  keyPath: YamlPath,
  value: Record<string, unknown>,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const where = formatKeyPath([...keyPath, key]);
      throw file.error([...keyPath, key], `unknown key ${where} (allowed: ${allowed.join(", ")})`);
    }
  }
}
