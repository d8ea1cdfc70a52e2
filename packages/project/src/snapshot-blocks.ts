import { AlmanacError } from "@almanac/errors";

/** One `{% snapshot name %} … {% endsnapshot %}` block of a snapshot file. */
export interface SnapshotBlock {
  readonly name: string;
  /** 1-based line of the `{% snapshot %}` tag. */
  readonly line: number;
  /**
   * The block's body, preceded by as many newlines as there are lines before it in the file, so
   * template errors and SQL positions name the file's own line numbers.
   */
  readonly body: string;
}

// `{%- snapshot name -%}`, whitespace control optional; dbt names are identifiers.
const tagPattern = /\{%-?\s*(snapshot|endsnapshot)\b\s*([^%]*?)\s*-?%\}/g;
const namePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

function lineAt(source: string, index: number): number {
  return source.slice(0, index).split("\n").length;
}

function blockError(file: string, line: number, text: string): AlmanacError {
  return new AlmanacError("ALMANAC_TEMPLATE_ERROR", `${file}:${line}: ${text}`, { file, line });
}

/**
 * The snapshot blocks of a file in `snapshot-paths`, in file order. Text outside the blocks is
 * ignored, as dbt ignores it. Throws ALMANAC_TEMPLATE_ERROR at `file:line` for a block without
 * `{% endsnapshot %}`, an `endsnapshot` without a block, a block inside a block, or a bad name.
 */
export function snapshotBlocks(file: string, source: string): SnapshotBlock[] {
  const blocks: SnapshotBlock[] = [];
  let open: { name: string; line: number; bodyStart: number } | undefined;
  for (const match of source.matchAll(tagPattern)) {
    const [tag, keyword, argument = ""] = match;
    const line = lineAt(source, match.index);
    if (keyword === "snapshot") {
      if (open !== undefined) {
        throw blockError(
          file,
          line,
          `snapshot block inside snapshot "${open.name}" (line ${open.line}): close it with {% endsnapshot %} first`,
        );
      }
      if (!namePattern.test(argument)) {
        throw blockError(file, line, `{% snapshot %} needs a name made of letters, digits and _ (got "${argument}")`);
      }
      open = { name: argument, line, bodyStart: match.index + tag.length };
      continue;
    }
    if (open === undefined) throw blockError(file, line, "{% endsnapshot %} without a {% snapshot name %} before it");
    const inner = source.slice(open.bodyStart, match.index);
    const padding = "\n".repeat(lineAt(source, open.bodyStart) - 1);
    blocks.push({ name: open.name, line: open.line, body: padding + inner });
    open = undefined;
  }
  if (open !== undefined) {
    throw blockError(
      file,
      open.line,
      `snapshot "${open.name}" has no {% endsnapshot %}: end the block after its select`,
    );
  }
  return blocks;
}
