/**
 * Jinja string literals as Python reads them. nunjucks drops the backslash of an escape it does
 * not know (`'\d+'` becomes `d+`); Python keeps it, so the regular expressions packages pass to
 * `modules.re` arrive intact. Known escapes (`\n`, `\t`, `\\`, `\'`, `\x41`, `\u00e9`, octal
 * `\1`) mean what they mean in Python.
 */

/** The parts of nunjucks' tokenizer a string literal is read with. */
export interface StringTokenizer {
  current(): string;
  forward(): void;
  isFinished(): boolean;
  _parseString(delimiter: string): string;
}

const simpleEscapes: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "\n": "",
};

function readWhile(tokenizer: StringTokenizer, accept: RegExp, max: number): string {
  let text = "";
  while (text.length < max && !tokenizer.isFinished() && accept.test(tokenizer.current())) {
    text += tokenizer.current();
    tokenizer.forward();
  }
  return text;
}

function parsePythonString(this: StringTokenizer, delimiter: string): string {
  this.forward();
  let text = "";
  while (!this.isFinished() && this.current() !== delimiter) {
    const char = this.current();
    this.forward();
    if (char !== "\\") {
      text += char;
      continue;
    }
    const next = this.current();
    if (Object.hasOwn(simpleEscapes, next)) {
      text += simpleEscapes[next];
      this.forward();
    } else if (/[0-7]/.test(next)) {
      text += String.fromCharCode(Number.parseInt(readWhile(this, /[0-7]/, 3), 8));
    } else if (next === "x" || next === "u") {
      this.forward();
      const digits = readWhile(this, /[0-9a-fA-F]/, next === "x" ? 2 : 4);
      text += digits === "" ? `\\${next}` : String.fromCharCode(Number.parseInt(digits, 16));
    } else {
      // Python keeps an unknown escape as written: `\d` stays `\d`.
      text += `\\${next}`;
      this.forward();
    }
  }
  this.forward();
  return text;
}

/** Makes `tokenizer` read string literals as Python does. */
export function withPythonStrings<T>(tokenizer: T): T {
  (tokenizer as unknown as StringTokenizer)._parseString = parsePythonString;
  return tokenizer;
}
