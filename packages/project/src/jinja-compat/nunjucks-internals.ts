import { createRequire } from "node:module";

/**
 * Typed handles on the nunjucks modules Almanac's Jinja parser and compiler extend (nunjucks
 * ships no typings for them), and the AST nodes Almanac adds.
 */

const require = createRequire(import.meta.url);

/** An AST node as nunjucks builds it (untyped in nunjucks). */
export interface AstNode {
  readonly lineno: number;
  readonly colno: number;
  readonly typename: string;
  [field: string]: unknown;
}

export interface Token {
  readonly type: string;
  readonly value: string;
  readonly lineno: number;
  readonly colno: number;
}

export type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => AstNode;

interface NodesModule {
  Node: { extend(name: string, props: { fields: string[] }): NodeClass };
  [name: string]: unknown;
}

export interface ParserBase {
  extensions: unknown[];
  peekToken(): Token;
  nextToken(): Token;
  skip(type: string): boolean;
  skipSymbol(value: string): boolean;
  skipValue(type: string, value: string): boolean;
  fail(message: string, lineno?: number, colno?: number): never;
  parsePrimary(noPostfix?: boolean): AstNode;
  parseOr(): AstNode;
  parseExpression(): AstNode;
  parseSignature(tolerant?: boolean, noParens?: boolean): AstNode | null;
  parseAggregate(): AstNode | null;
  parseStatement(): AstNode;
  parseSet(): AstNode;
  parseFor(): AstNode;
  parsePostfix(node: AstNode): AstNode;
  parseUntilBlocks(...names: string[]): AstNode;
  advanceAfterBlockEnd(name?: string): Token;
  parseAsRoot(): AstNode;
}

export interface CompilerBase {
  compile(node: AstNode, frame?: CompileFrame): void;
  getCode(): string;
  _emit(code: string): void;
  _emitLine(code: string): void;
  _compileExpression(node: AstNode, frame: CompileFrame): void;
  compileIf(node: AstNode, frame: CompileFrame): void;
  compileInlineIf(node: AstNode, frame: CompileFrame): void;
  compilePair(node: AstNode, frame: CompileFrame): void;
  compileMacro(node: AstNode, frame: CompileFrame): void;
  _getNodeName(node: AstNode): string;
}

export interface CompileFrame {
  readonly parent?: CompileFrame;
  lookup(name: string): string | undefined | null;
}

const nodes = require("nunjucks/src/nodes") as NodesModule;
export const lexer = require("nunjucks/src/lexer") as { lex(src: string, opts: object): unknown } & Record<
  `TOKEN_${string}`,
  string
>;
export const { Parser } = require("nunjucks/src/parser") as { Parser: new (tokens: unknown) => ParserBase };
export const { Compiler } = require("nunjucks/src/compiler") as {
  Compiler: new (name: string, throwOnUndefined: boolean) => CompilerBase;
};
export const transformer = require("nunjucks/src/transformer") as {
  transform(ast: AstNode, asyncFilters: unknown, name: string): AstNode;
};

/** The nunjucks node class called `name`. */
export const node = (name: string) => nodes[name] as NodeClass;
export const DoNode = nodes.Node.extend("AlmanacDo", { fields: ["expr"] });
export const SetAttributeNode = nodes.Node.extend("AlmanacSetAttribute", { fields: ["target", "attribute", "value"] });
export const TruthyNode = nodes.Node.extend("AlmanacTruthy", { fields: ["value"] });
export const SliceNode = nodes.Node.extend("AlmanacSlice", { fields: ["target", "start", "stop", "step"] });
/** `*xs` or `**kw` at a call site: `kind` is `*` or `**`. */
export const SpreadNode = nodes.Node.extend("AlmanacSpread", { fields: ["value", "kind"] });
/** A dict key that is an expression (`{col.name: col}`), evaluated as Jinja does. */
export const ComputedKeyNode = nodes.Node.extend("AlmanacComputedKey", { fields: ["value"] });
