import type { Project, Target } from "@almanac/project";
import { codeVersion } from "./code-version.js";

// A loaded project never changes (a reload makes a new object), so its code versions are
// computed once per target: rendering 100 models on every status page would cost more than
// reading their 365,000 partition statuses.
const versions = new WeakMap<Project, Map<string, string>>();

/** {@link codeVersion} of `modelName` for `ctx`'s project and target, rendered once per project object. */
export function cachedCodeVersion(
  ctx: { readonly project: Project; readonly target: Target },
  modelName: string,
): string {
  let byModel = versions.get(ctx.project);
  if (!byModel) {
    byModel = new Map();
    versions.set(ctx.project, byModel);
  }
  const key = `${ctx.target.name}\u0000${ctx.target.schema}\u0000${modelName}`;
  let version = byModel.get(key);
  if (version === undefined) {
    version = codeVersion(ctx.project, modelName, ctx.target);
    byModel.set(key, version);
  }
  return version;
}
