import { JinjaParser } from "./jinja-parser.js";
import { type AstNode, type CompileFrame, Compiler, lexer, TruthyNode, transformer } from "./nunjucks-internals.js";
import { withPythonStrings } from "./string-literals.js";

/**
 * Jinja semantics nunjucks' compiler gets wrong, by subclassing it: Python truthiness in
 * `if`/`not`/`and`/`or` (an empty list is false), Python `+`, `-` and `%` (formatting,
 * list concatenation; JavaScript's operators give NaN or "12"), and code for the nodes
 * JinjaParser adds. The generated code calls helpers on the Jinja runtime (jinja-runtime.ts).
 */

// Sets the position variables nunjucks' generated code reports errors with, so a failure in a
// runtime helper points at its own line rather than the last call's.
function position(at: AstNode): string {
  return `lineno = ${at.lineno}, colno = ${at.colno}, `;
}

class JinjaCompiler extends Compiler {
  // The name nunjucks puts in its "Unable to call" messages goes into a JavaScript string as
  // written; a multi-line string literal (`'…'.format(…)` in dbt_utils) would break the code.
  override _getNodeName(node: AstNode): string {
    return super._getNodeName(node).replace(/[\\\r\n\u2028\u2029]+/g, " ");
  }

  // nunjucks keeps top-level macros named `_x` private to their file; dbt collects every macro
  // of a file, and dbt_utils calls its `_is_relation` from other files.
  // A top-level macro is also where `{{ return(x) }}` stops (macro-return.ts): the file's
  // context, which same-file calls by name read, holds it behind that boundary.
  override compileMacro(node: AstNode, frame: CompileFrame): void {
    super.compileMacro(node, frame);
    const name = JSON.stringify((node.name as AstNode).value as string);
    if (frame.parent) return;
    if (name.startsWith('"_')) this._emitLine(`context.addExport(${name});`);
    this._emitLine(`context.setVariable(${name}, runtime.almanacReturnBoundary(context.lookup(${name})));`);
  }

  #heldCallerFrame = false;

  // nunjucks gives a file's top-level macro its frame by assigning the file's shared `frame`
  // variable (`var callerFrame = frame; frame = new runtime.Frame();`) and restores it when the
  // body ends. `{{ return(x) }}` ends the body by throwing, so after one macro returned to
  // another in the same file the caller's `{% set %}`s landed in a dead frame (dbt_date's
  // is_between read its ref_dt as undefined). Each such macro gets its own `var frame`
  // instead; a `{% call %}` body (`frame.push(true)`) keeps nunjucks' code.
  override _emitLine(code: string): void {
    if (this.#heldCallerFrame) {
      this.#heldCallerFrame = false;
      if (code === "frame = new runtime.Frame();") {
        super._emitLine("var frame = new runtime.Frame();");
        return;
      }
      super._emitLine("var callerFrame = frame;");
    }
    if (code === "var callerFrame = frame;") {
      this.#heldCallerFrame = true;
      return;
    }
    if (code === "frame = callerFrame;") return;
    super._emitLine(code);
  }

  override _compileExpression(expr: AstNode, frame: CompileFrame): void {
    if (expr.typename === "AlmanacSlice" || expr.typename === "AlmanacTruthy") this.compile(expr, frame);
    else super._compileExpression(expr, frame);
  }

  // Python truthiness: `{% if columns %}` is false for an empty list or dict, which are
  // truthy in JavaScript, and `a or b` returns the first truthy operand.
  override compileIf(statement: AstNode, frame: CompileFrame): void {
    super.compileIf(this.#truthy(statement), frame);
  }

  override compileInlineIf(expr: AstNode, frame: CompileFrame): void {
    super.compileInlineIf(this.#truthy(expr), frame);
  }

  #truthy(test: AstNode): AstNode {
    const cond = test.cond as AstNode;
    if (cond.typename === "AlmanacTruthy") return test;
    const copy = Object.create(Object.getPrototypeOf(test) as object) as AstNode;
    Object.assign(copy, test, { cond: new TruthyNode(cond.lineno, cond.colno, cond) });
    return copy;
  }

  compileAlmanacTruthy(expr: AstNode, frame: CompileFrame): void {
    this._emit("runtime.almanacTruthy(");
    this._compileExpression(expr.value as AstNode, frame);
    this._emit(")");
  }

  compileNot(expr: AstNode, frame: CompileFrame): void {
    this._emit("!runtime.almanacTruthy(");
    this._compileExpression(expr.target as AstNode, frame);
    this._emit(")");
  }

  compileOr(expr: AstNode, frame: CompileFrame): void {
    this.#shortCircuit(expr, frame, "l : ", "");
  }

  compileAnd(expr: AstNode, frame: CompileFrame): void {
    this.#shortCircuit(expr, frame, "", " : l");
  }

  // The right operand sits in a closure so it is evaluated only when needed, as in Python.
  #shortCircuit(expr: AstNode, frame: CompileFrame, before: string, after: string): void {
    this._emit(`(function (l) { return runtime.almanacTruthy(l) ? ${before}`);
    this._compileExpression(expr.right as AstNode, frame);
    this._emit(`${after}; })(`);
    this._compileExpression(expr.left as AstNode, frame);
    this._emit(")");
  }

  compileAdd(expr: AstNode, frame: CompileFrame): void {
    this._emit(`(${position(expr)}runtime.almanacAdd(`);
    this.compile(expr.left as AstNode, frame);
    this._emit(", ");
    this.compile(expr.right as AstNode, frame);
    this._emit("))");
  }

  compileSub(expr: AstNode, frame: CompileFrame): void {
    this._emit(`(${position(expr)}runtime.almanacSubtract(`);
    this.compile(expr.left as AstNode, frame);
    this._emit(", ");
    this.compile(expr.right as AstNode, frame);
    this._emit("))");
  }

  // Python comparisons: `==` is value equality (lists and dicts compare by content, '1' is
  // not 1, '' is not 0), and `a < b < c` is chained; JavaScript's `==` gets all three wrong.
  compileCompare(expr: AstNode, frame: CompileFrame): void {
    this._emit(`(${position(expr)}runtime.almanacCompare(`);
    this.compile(expr.expr as AstNode, frame);
    for (const operand of expr.ops as AstNode[]) {
      this._emit(`, ${JSON.stringify(operand.type)}, `);
      this.compile(operand.expr as AstNode, frame);
    }
    this._emit("))");
  }

  compileMod(expr: AstNode, frame: CompileFrame): void {
    this._emit(`(${position(expr)}runtime.almanacModulo(`);
    this.compile(expr.left as AstNode, frame);
    this._emit(", ");
    this.compile(expr.right as AstNode, frame);
    this._emit("))");
  }

  compileAlmanacSlice(expr: AstNode, frame: CompileFrame): void {
    this._emit(`(${position(expr)}runtime.almanacSlice(`);
    const parts = [expr.target, expr.start, expr.stop, expr.step] as (AstNode | null)[];
    parts.forEach((part, i) => {
      if (i > 0) this._emit(", ");
      if (part === null) this._emit("null");
      else this._compileExpression(part, frame);
    });
    this._emit("))");
  }

  // `*xs` spreads a list into the positional arguments, `**kw` a dict into the keyword ones.
  compileAlmanacSpread(expr: AstNode, frame: CompileFrame): void {
    this._emit(expr.kind === "*" ? "...runtime.almanacStarArgs(" : "...runtime.almanacStarKwargs(");
    this._compileExpression(expr.value as AstNode, frame);
    this._emit(")");
  }

  // A dict pair whose key is an expression: a computed property, as Python evaluates the key.
  override compilePair(pair: AstNode, frame: CompileFrame): void {
    const key = pair.key as AstNode;
    if (key.typename !== "AlmanacComputedKey") {
      super.compilePair(pair, frame);
      return;
    }
    this._emit("[runtime.almanacDictKey(");
    this._compileExpression(key.value as AstNode, frame);
    this._emit(")]: ");
    this._compileExpression(pair.value as AstNode, frame);
  }

  compileAlmanacDo(statement: AstNode, frame: CompileFrame): void {
    this._emit(position(statement));
    this._compileExpression(statement.expr as AstNode, frame);
    this._emitLine(";");
  }

  compileAlmanacSetAttribute(statement: AstNode, frame: CompileFrame): void {
    this._emit(`${position(statement)}runtime.almanacSetAttribute(`);
    this._compileExpression(statement.target as AstNode, frame);
    this._emit(", ");
    this._compileExpression(statement.attribute as AstNode, frame);
    this._emit(", ");
    const value = statement.value as AstNode;
    if (value.typename === "Capture") this.compile(value, frame);
    else this._compileExpression(value, frame);
    this._emitLine(");");
  }
}

/** What compiling needs from the nunjucks environment. */
export interface CompileOptions {
  readonly opts: object;
  readonly asyncFilters: unknown;
  readonly extensionsList: unknown[];
}

/**
 * Compiles `source` with the Jinja parser and compiler to the `{ root, b_* }` functions
 * nunjucks' Template takes as precompiled code. Throws nunjucks' TemplateError on bad syntax.
 */
export function compileJinja(source: string, env: CompileOptions, path: string): Record<string, unknown> {
  const parser = new JinjaParser(withPythonStrings(lexer.lex(source, env.opts)));
  parser.extensions = env.extensionsList;
  const ast = transformer.transform(parser.parseAsRoot(), env.asyncFilters, path);
  const compiler = new JinjaCompiler(path, true);
  compiler.compile(ast);
  // nunjucks itself turns its generated code into functions this way.
  return new Function(compiler.getCode())() as Record<string, unknown>;
}
