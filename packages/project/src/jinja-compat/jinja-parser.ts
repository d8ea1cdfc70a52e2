import { parseCallArguments, parseLiteralAggregate } from "./call-arguments.js";
import {
  type AstNode,
  DoNode,
  lexer,
  node,
  Parser,
  SetAttributeNode,
  SliceNode,
  type Token,
} from "./nunjucks-internals.js";

/**
 * Jinja syntax nunjucks' parser lacks or reads differently, added by subclassing it (per
 * compile, never by patching nunjucks' prototypes):
 *
 * - `True`, `False`, `None`;
 * - `{% do expr %}` evaluates and discards (dbt's `{% do xs.append(x) %}`);
 * - `{% test name(…) %}` defines dbt's generic test as the macro `test_name`;
 * - `{% set ns.attr = value %}` assigns on a `namespace()` (nunjucks crashes compiling it);
 * - `{% for x in xs if cond %}` filters before looping, so `loop.*` counts kept items (nunjucks
 *   reads `xs if cond` as an inline if without else and loops over nothing);
 * - `xs[1:]`, `s[:2]`, `xs[::-1]` slices (a parse error in nunjucks);
 * - `('a', 3)` is a tuple (nunjucks compiles it to JavaScript's comma operator: 3);
 * - trailing commas, `*args`/`**kwargs` at call sites and expression dict keys (call-arguments.ts).
 */

const pythonConstants: Readonly<Record<string, { type: string; value: string }>> = {
  True: { type: lexer.TOKEN_BOOLEAN as string, value: "true" },
  False: { type: lexer.TOKEN_BOOLEAN as string, value: "false" },
  None: { type: lexer.TOKEN_NONE as string, value: "none" },
};

// Names of the lists `{% for … if … %}` filters into; unique per process is unique per template.
let filteredLoops = 0;

export class JinjaParser extends Parser {
  override parseStatement(): AstNode {
    const tok = this.peekToken();
    if (tok.type === lexer.TOKEN_SYMBOL && tok.value === "do") {
      this.nextToken();
      const expr = this.parseExpression();
      this.advanceAfterBlockEnd(tok.value);
      return new DoNode(tok.lineno, tok.colno, expr);
    }
    if (tok.type === lexer.TOKEN_SYMBOL && tok.value === "test") return this.#parseTestBlock(tok);
    return super.parseStatement();
  }

  /**
   * dbt's `{% test name(model, column_name) %}…{% endtest %}` defines the generic test `name`
   * as the macro `test_name`, which is how dbt itself stores and calls it.
   */
  #parseTestBlock(tok: Token): AstNode {
    this.nextToken();
    const name = this.parsePrimary(true);
    if (name.typename !== "Symbol") this.fail("test: expected the test's name", tok.lineno, tok.colno);
    const macroName = new (node("Symbol"))(name.lineno, name.colno, `test_${String(name.value)}`);
    const macro = new (node("Macro"))(tok.lineno, tok.colno, macroName, this.parseSignature());
    this.advanceAfterBlockEnd(tok.value);
    macro.body = this.parseUntilBlocks("endtest");
    this.advanceAfterBlockEnd();
    return macro;
  }

  // Python spells the constants `True`, `False`, `None`; nunjucks' lexer only knows the
  // lowercase forms and would look the capitalised ones up as (undefined) variables.
  override parsePrimary(noPostfix?: boolean): AstNode {
    const tok = this.peekToken() as { type: string; value: string } | null;
    if (tok !== null && tok.type === lexer.TOKEN_SYMBOL) {
      const constant = pythonConstants[tok.value];
      if (constant !== undefined) Object.assign(tok, constant);
    }
    return super.parsePrimary(noPostfix);
  }

  // Tuples, trailing commas and expression dict keys (call-arguments.ts).
  override parseAggregate(): AstNode | null {
    return parseLiteralAggregate(this);
  }

  // Trailing commas, `*args` and `**kwargs` (call-arguments.ts).
  override parseSignature(tolerant?: boolean, noParens?: boolean): AstNode | null {
    return parseCallArguments(this, tolerant, noParens);
  }

  override parseSet(): AstNode {
    const set = super.parseSet();
    const targets = set.targets as AstNode[];
    if (!targets.some((t) => t.typename === "LookupVal")) return set;
    const [target] = targets;
    if (
      targets.length !== 1 ||
      target === undefined ||
      (set.value === null && set.body === undefined) ||
      (target.val as AstNode).typename !== "Literal"
    ) {
      this.fail("set: only {% set ns.attribute = value %} may assign an attribute", set.lineno, set.colno);
    }
    // `{% set ns.x %}…{% endset %}` assigns the block's text.
    return new SetAttributeNode(set.lineno, set.colno, target.target, target.val, set.value ?? set.body);
  }

  override parseFor(): AstNode {
    const forTok = this.peekToken();
    if (forTok.value !== "for") return super.parseFor();
    this.nextToken();
    const loop = new (node("For"))(forTok.lineno, forTok.colno);
    let name = this.parsePrimary();
    if (name.typename !== "Symbol") this.fail("parseFor: variable name expected for loop");
    if (this.peekToken().type === lexer.TOKEN_COMMA) {
      const names = new (node("Array"))(name.lineno, name.colno, [name]);
      while (this.skip(lexer.TOKEN_COMMA as string)) (names.children as AstNode[]).push(this.parsePrimary());
      name = names;
    }
    loop.name = name;
    if (!this.skipSymbol("in")) this.fail('parseFor: expected "in" keyword for loop', forTok.lineno, forTok.colno);
    // Jinja's iterable is an expression without a conditional: a following `if` filters.
    loop.arr = this.parseOr();
    const condition = this.skipSymbol("if") ? this.parseExpression() : undefined;
    this.advanceAfterBlockEnd(forTok.value);
    loop.body = this.parseUntilBlocks("endfor", "else");
    loop.else_ = null;
    if (this.skipSymbol("else")) {
      this.advanceAfterBlockEnd("else");
      loop.else_ = this.parseUntilBlocks("endfor");
    }
    this.advanceAfterBlockEnd();
    return condition === undefined ? loop : filteredLoop(loop, condition);
  }

  override parsePostfix(target: AstNode): AstNode {
    let result = target;
    let tok = this.peekToken();
    while (tok) {
      if (tok.type === lexer.TOKEN_LEFT_PAREN) {
        result = new (node("FunCall"))(tok.lineno, tok.colno, result, this.parseSignature());
      } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
        result = this.#parseSubscript(result, tok);
      } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === ".") {
        this.nextToken();
        const val = this.nextToken();
        if (val.type !== lexer.TOKEN_SYMBOL)
          this.fail(`expected name as lookup value, got ${val.value}`, val.lineno, val.colno);
        const lookup = new (node("Literal"))(val.lineno, val.colno, val.value);
        result = new (node("LookupVal"))(tok.lineno, tok.colno, result, lookup);
      } else {
        break;
      }
      tok = this.peekToken();
    }
    return result;
  }

  /** `x[i]`, or a slice `x[a:b:c]` with any part left out. */
  #parseSubscript(target: AstNode, open: Token): AstNode {
    this.nextToken();
    const bounds: (AstNode | null)[] = [];
    let current: AstNode | null = null;
    for (;;) {
      const tok = this.peekToken();
      if (tok.type === lexer.TOKEN_COLON) {
        this.nextToken();
        bounds.push(current);
        current = null;
      } else if (tok.type === lexer.TOKEN_RIGHT_BRACKET) {
        this.nextToken();
        bounds.push(current);
        break;
      } else if (current === null) {
        current = this.parseExpression();
      } else {
        this.fail("expected ] or : in subscript", tok.lineno, tok.colno);
      }
    }
    const [start = null, stop = null, step = null] = bounds;
    if (bounds.length === 1) {
      if (start === null) this.fail("invalid index", open.lineno, open.colno);
      return new (node("LookupVal"))(open.lineno, open.colno, target, start);
    }
    if (bounds.length > 3) this.fail("a slice has at most start:stop:step", open.lineno, open.colno);
    return new SliceNode(open.lineno, open.colno, target, start, stop, step);
  }
}

/**
 * `{% for x in xs if cond %}` as two loops: the first appends the items that pass into a
 * fresh list, the second is the user's loop over that list, so `loop.index`, `loop.last` and
 * `{% else %}` see only kept items, as in Jinja.
 */
function filteredLoop(loop: AstNode, condition: AstNode): AstNode {
  const { lineno, colno } = loop;
  const kept = new (node("Symbol"))(lineno, colno, `__almanac_for_if_${++filteredLoops}`);
  const name = loop.name as AstNode;
  const item = name.typename === "Array" ? new (node("Array"))(lineno, colno, name.children) : name;
  const append = new (node("FunCall"))(
    lineno,
    colno,
    new (node("LookupVal"))(lineno, colno, kept, new (node("Literal"))(lineno, colno, "append")),
    new (node("NodeList"))(lineno, colno, [item]),
  );
  const keep = new (node("If"))(
    lineno,
    colno,
    condition,
    new (node("NodeList"))(lineno, colno, [new DoNode(lineno, colno, append)]),
    null,
  );
  const filter = new (node("For"))(lineno, colno, loop.arr, name, new (node("NodeList"))(lineno, colno, [keep]), null);
  const init = new (node("Set"))(lineno, colno, [kept], new (node("Array"))(lineno, colno, []));
  loop.arr = kept;
  return new (node("NodeList"))(lineno, colno, [init, filter, loop]);
}
