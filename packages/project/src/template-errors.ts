import { AlmanacError, isAlmanacError } from "@almanac/errors";

/** Which macro (and macro file) an error escaped from; the innermost macro is recorded. */
export interface MacroOrigin {
  readonly macro: string;
  readonly file: string;
}

// Errors are annotated on their way out of a project macro, so the final message can say the
// failure happened inside `macros/x.sql` rather than only at the model line that called it.
const macroOrigins = new WeakMap<object, MacroOrigin>();

/** Records that `error` left macro `origin`, unless an inner macro already claimed it. */
export function noteMacroOrigin(error: unknown, origin: MacroOrigin): void {
  if (typeof error === "object" && error !== null && !macroOrigins.has(error)) macroOrigins.set(error, origin);
}

/** The shape of nunjucks' TemplateError (its typings omit `cause`, and lines are not typed). */
interface NunjucksTemplateError extends Error {
  lineno?: number;
  colno?: number;
  cause?: unknown;
}

function isTemplateError(error: unknown): error is NunjucksTemplateError {
  return error instanceof Error && "lineno" in error && "Update" in error;
}

// nunjucks prefixes its message with "(path) [Line n, Column m]\n  "; the location is rebuilt
// from lineno/colno so every message has the same one-line `file:line:` form.
function bareMessage(error: Error): string {
  return error.message
    .replace(/^\([^)\n]*\)(?: \[Line \d+(?:, Column \d+)?\])?\s*/, "")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}

/**
 * Turns whatever a render or compile of `file` threw into one AlmanacError whose message
 * starts with `file:line:` (and `:column` for template errors). Errors raised by `ref`, `var`,
 * `source`… keep their own code; everything else is ALMANAC_TEMPLATE_ERROR.
 */
export function templateFailure(error: unknown, file: string): AlmanacError {
  if (!isTemplateError(error)) {
    if (isAlmanacError(error)) return locate(error, { file, inner: macroOrigins.get(error) });
    const text = error instanceof Error ? error.message : String(error);
    return new AlmanacError("ALMANAC_TEMPLATE_ERROR", `${file}: ${text}`, { file }, { cause: error });
  }
  const cause = error.cause;
  if (cause !== undefined) {
    // Wrapped by nunjucks' runtime.handleError: lineno/colno are 0-based positions in `file`
    // (for a macro's failure, the line of the call in the model).
    const position = { file, line: plusOne(error.lineno), column: plusOne(error.colno) };
    const inner = macroOrigins.get(cause as object);
    if (isAlmanacError(cause)) return locate(cause, { ...position, inner });
    const text = cause instanceof Error ? cause.message : String(cause);
    return located("ALMANAC_TEMPLATE_ERROR", text, { ...position, inner }, {}, cause);
  }
  // Parse errors and undefined outputs carry 1-based positions. One thrown inside a project
  // macro is positioned in the macro file.
  const inner = macroOrigins.get(error);
  const position = inner
    ? { file: inner.file, line: error.lineno, column: error.colno, macro: inner.macro, calledFrom: file }
    : { file, line: error.lineno, column: error.colno };
  return located("ALMANAC_TEMPLATE_ERROR", bareMessage(error), position, {}, error);
}

function plusOne(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value + 1;
}

interface Position {
  readonly file: string;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
  readonly inner?: MacroOrigin | undefined;
  readonly macro?: string;
  readonly calledFrom?: string;
}

function locate(error: AlmanacError, position: Position): AlmanacError {
  // Already placed (e.g. a nested ephemeral model's own file): keep it.
  if (typeof error.details.file === "string") return error;
  // Specific errors (unknown ref, missing var) read best as `file:line: …`, like the compiler
  // errors people know; the column stays in details.
  return located(error.code, error.message, { ...position, column: undefined }, error.details, error, position.column);
}

function located(
  code: AlmanacError["code"],
  text: string,
  position: Position,
  extra: Readonly<Record<string, unknown>>,
  cause: unknown,
  column = position.column,
): AlmanacError {
  let where = position.file;
  if (position.line !== undefined && position.line > 0) {
    where += `:${position.line}`;
    if (position.column !== undefined && position.column > 0) where += `:${position.column}`;
  }
  if (position.inner) where += `: in macro ${position.inner.macro} (${position.inner.file})`;
  if (position.calledFrom) where += `: in macro ${position.macro} called from ${position.calledFrom}`;
  const details: Record<string, unknown> = { ...extra, file: position.file, line: position.line, column };
  if (position.inner) details.macro = { name: position.inner.macro, file: position.inner.file };
  if (position.calledFrom) details.macro = { name: position.macro, calledFrom: position.calledFrom };
  return new AlmanacError(code, `${where}: ${text}`, details, { cause });
}
