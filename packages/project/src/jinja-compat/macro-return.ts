/**
 * dbt's `{{ return(x) }}`: the macro hands x back to its caller instead of its text. dbt raises
 * an exception that the macro's call wrapper catches; here every top-level macro of a file is
 * such a boundary, however it is reached (by name from the same file, through a package
 * namespace, through adapter.dispatch). A `{% call %}` body is not one: a return inside it
 * ends the innermost macro running, the one that called `caller()`, as in dbt.
 */

class MacroReturn {
  constructor(readonly value: unknown) {}
}

/** The `return` global. */
export function returnFromMacro(value: unknown): never {
  throw new MacroReturn(value);
}

type Macro = (...args: unknown[]) => unknown;

/** `macro`, returning what `{{ return(x) }}` in its body hands back. */
export function returnBoundary(macro: Macro): Macro {
  return function (this: unknown, ...args: unknown[]) {
    try {
      return macro.apply(this, args);
    } catch (error) {
      if (error instanceof MacroReturn) return error.value;
      throw error;
    }
  };
}
