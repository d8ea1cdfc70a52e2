import { type AstNode, ComputedKeyNode, lexer, node, type ParserBase, SpreadNode } from "./nunjucks-internals.js";

/**
 * Jinja's argument lists and literals, which nunjucks parses more narrowly:
 *
 * - a trailing comma is allowed in calls, lists, tuples and dicts (`f(a, b,)`, `{'a': 1,}`);
 * - `*args` and `**kwargs` at a call site spread a list and a dict into the call;
 * - dict keys are expressions (`{col.name: col}`, `{k | lower: v}`, `{name: v}` reads the
 *   variable `name`), where nunjucks only takes string literals and bare names as strings.
 */

const token = (name: string) => lexer[`TOKEN_${name}`] as string;
const closers = new Set([token("RIGHT_PAREN"), token("RIGHT_BRACKET"), token("RIGHT_CURLY")]);

/** `f(a, *rest, k=1, **more,)` as nunjucks' NodeList of positionals and a trailing KeywordArgs. */
export function parseCallArguments(parser: ParserBase, tolerant?: boolean, noParens?: boolean): AstNode | null {
  let tok = parser.peekToken();
  if (!noParens && tok.type !== lexer.TOKEN_LEFT_PAREN) {
    if (tolerant) return null;
    parser.fail("expected arguments", tok.lineno, tok.colno);
  }
  if (tok.type === lexer.TOKEN_LEFT_PAREN) tok = parser.nextToken();
  const args = new (node("NodeList"))(tok.lineno, tok.colno);
  const kwargs = new (node("KeywordArgs"))(tok.lineno, tok.colno);
  const positional = args.children as AstNode[];
  const keywords = kwargs.children as AstNode[];
  let first = true;
  for (;;) {
    tok = parser.peekToken();
    if (!noParens && tok.type === lexer.TOKEN_RIGHT_PAREN) {
      parser.nextToken();
      break;
    }
    if (noParens && tok.type === lexer.TOKEN_BLOCK_END) break;
    if (!first) {
      if (!parser.skip(token("COMMA"))) parser.fail("expected comma between arguments", tok.lineno, tok.colno);
      const next = parser.peekToken();
      // A trailing comma before `)`.
      if (!noParens && next.type === lexer.TOKEN_RIGHT_PAREN) continue;
    }
    first = false;
    const star = parser.peekToken();
    if (star.type === lexer.TOKEN_OPERATOR && (star.value === "*" || star.value === "**")) {
      parser.nextToken();
      const spread = new SpreadNode(star.lineno, star.colno, parser.parseExpression(), star.value);
      (star.value === "*" ? positional : keywords).push(spread);
      continue;
    }
    const arg = parser.parseExpression();
    if (parser.skipValue(token("OPERATOR"), "=")) {
      keywords.push(new (node("Pair"))(arg.lineno, arg.colno, arg, parser.parseExpression()));
    } else {
      positional.push(arg);
    }
  }
  if (keywords.length > 0) positional.push(kwargs);
  return args;
}

/** `(a, b,)`, `[a, b,]` and `{key: value,}`, or null when the next token opens none of them. */
export function parseLiteralAggregate(parser: ParserBase): AstNode | null {
  const tok = parser.nextToken();
  const kind =
    tok.type === lexer.TOKEN_LEFT_PAREN
      ? "Group"
      : tok.type === lexer.TOKEN_LEFT_BRACKET
        ? "Array"
        : tok.type === lexer.TOKEN_LEFT_CURLY
          ? "Dict"
          : undefined;
  if (kind === undefined) return null;
  const aggregate = new (node(kind))(tok.lineno, tok.colno);
  const items = aggregate.children as AstNode[];
  let trailingComma = false;
  for (;;) {
    if (closers.has(parser.peekToken().type)) {
      parser.nextToken();
      break;
    }
    if (items.length > 0 && !trailingComma) {
      if (!parser.skip(token("COMMA"))) parser.fail("expected comma after expression", tok.lineno, tok.colno);
      trailingComma = true;
      continue;
    }
    trailingComma = false;
    if (kind === "Dict") {
      const key = parser.parseExpression();
      if (!parser.skip(token("COLON"))) parser.fail("expected colon after dict key", key.lineno, key.colno);
      const value = parser.parseExpression();
      items.push(new (node("Pair"))(key.lineno, key.colno, dictKey(key), value));
    } else {
      items.push(parser.parseExpression());
    }
  }
  // `('a', 3)` and `(a,)` are tuples, which behave as lists here (nunjucks would compile a Group
  // to JavaScript's comma operator, giving 3); `(a)` is just `a`.
  if (kind === "Group" && (items.length > 1 || trailingComma)) {
    return new (node("Array"))(aggregate.lineno, aggregate.colno, aggregate.children);
  }
  return aggregate;
}

function dictKey(key: AstNode): AstNode {
  if (key.typename === "Literal" && typeof key.value === "string") return key;
  return new ComputedKeyNode(key.lineno, key.colno, key);
}
