import type { ParseError } from "jsonc-parser";

/** Where a JSON text is broken: 1-based line and column, the line itself, and what the parser expected. */
export interface JsonSyntaxProblem {
  readonly line: number;
  readonly column: number;
  readonly lineText: string;
  readonly message: string;
}

const MESSAGES: Record<string, string> = {
  InvalidSymbol: "a JSON value (strings need double quotes)",
  InvalidNumberFormat: "a number",
  PropertyNameExpected: "a property name in double quotes (no trailing comma before })",
  ValueExpected: "a value (no trailing comma before ] or })",
  ColonExpected: 'a ":" after the property name',
  CommaExpected: 'a "," between entries',
  CloseBraceExpected: 'a "}" closing the object',
  CloseBracketExpected: 'a "]" closing the array',
  EndOfFileExpected: "the end of the file after the top-level value",
  InvalidCommentToken: "no comments: plain JSON has none",
  UnexpectedEndOfComment: "no comments: plain JSON has none",
  UnexpectedEndOfString: "a closing double quote on the same line",
  UnexpectedEndOfNumber: "a complete number",
  InvalidUnicode: "a valid \\u escape",
  InvalidEscapeCharacter: 'a valid escape (\\", \\\\, \\n, ...)',
  InvalidCharacter: "no control characters inside strings",
};

const BARE_WORD_END = /[\s,:[\]{}"]/;

/** Parses strict JSON (no comments, no trailing commas); on a syntax error returns where, not just an offset. */
export function parseJson(text: string): { value?: unknown; problem?: JsonSyntaxProblem } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    // Only a broken file pays for loading the locating parser (about 10 ms of every synth otherwise).
  }
  const { parse, printParseErrorCode } = require("jsonc-parser") as typeof import("jsonc-parser");
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  if (errors.length === 0) return { value };
  const first = errors[0];
  const code = printParseErrorCode(first.error);
  // An unquoted value (`192.168.10.0/24`) reads as a number, then a bad symbol: point at the whole bare word.
  let offset = first.offset;
  if (code === "InvalidSymbol" || code === "InvalidNumberFormat")
    while (offset > 0 && !BARE_WORD_END.test(text[offset - 1])) offset--;
  const word = /^[^\s,:[\]{}"]+/.exec(text.slice(offset))?.[0];
  const before = text.slice(0, offset).split("\n");
  const line = before.length;
  const lineText = text.split("\n")[line - 1]?.replace(/\r$/, "") ?? "";
  const found = word !== undefined && code === "InvalidSymbol" ? `, not ${word}` : "";
  return {
    problem: {
      line,
      column: before[before.length - 1].length + 1,
      lineText,
      message: `expected ${MESSAGES[code] ?? code}${found}`,
    },
  };
}

/** `file:line:column: message`, then the line and a caret under the column: how compilers show it. */
export function formatJsonSyntaxProblem(file: string, problem: JsonSyntaxProblem): string {
  const shown = problem.lineText.replace(/\t/g, " ");
  return `${file}:${problem.line}:${problem.column}: invalid JSON: ${problem.message}\n  ${shown}\n  ${" ".repeat(problem.column - 1)}^`;
}
