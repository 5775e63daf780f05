/**
 * Parses the text of a definition file, YAML or JSON, into a plain value for
 * validateDag. Syntax errors carry their line and column. Pure: reading the
 * file is the caller's job (src/client/definitions.ts).
 *
 * Not exported from src/dag/index.ts, so the workflow bundle does not carry
 * the YAML parser; import it from 'src/dag/parse'.
 */
import { parseDocument } from 'yaml';
import { DagValidationError, type DagIssue } from './validate';

export const DEFINITION_FORMATS = ['yaml', 'json'] as const;
export type DefinitionFormat = (typeof DEFINITION_FORMATS)[number];

/** File extensions of definition files. */
export const DEFINITION_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

export interface ParseDefinitionOptions {
  /** Names the source in errors, and picks the format by its extension. */
  filename?: string;
  /** Overrides the extension. @defaultValue json for `*.json`, else yaml */
  format?: DefinitionFormat;
}

/** A syntax error at a place in the text; lines and columns start at 1. */
export interface SyntaxIssue extends DagIssue {
  code: 'syntax';
  line: number;
  column: number;
}

/** The text is not valid YAML or JSON. It is a DagValidationError, so callers can treat both alike. */
export class DefinitionSyntaxError extends DagValidationError {
  declare readonly issues: readonly SyntaxIssue[];
  constructor(
    issues: readonly SyntaxIssue[],
    source: string | undefined,
    readonly format: DefinitionFormat,
  ) {
    super(issues, source);
  }
}

/** `json` for `*.json`, otherwise `yaml` (YAML also reads most JSON). */
export function definitionFormat(filename: string | undefined): DefinitionFormat {
  return filename?.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function syntaxIssue(format: DefinitionFormat, line: number, column: number, message: string): SyntaxIssue {
  const label = format === 'json' ? 'JSON' : 'YAML';
  return { path: '(file)', code: 'syntax', message: `${label} syntax error at line ${line}, column ${column}: ${message}`, line, column };
}

/**
 * Parses definition text. Throws DefinitionSyntaxError (every YAML error, or
 * the first JSON error) or, for an empty file, DagValidationError.
 */
export function parseDefinitionText(text: string, opts: ParseDefinitionOptions = {}): unknown {
  const format = opts.format ?? definitionFormat(opts.filename);
  const value = format === 'json' ? parseJson(text, opts.filename) : parseYaml(text, opts.filename);
  if (value === null || value === undefined) {
    throw new DagValidationError([{ path: '(root)', code: 'schema', message: 'the file is empty; expected a DAG definition with a name and nodes' }], opts.filename);
  }
  return value;
}

/** The YAML parser and JSON error scanner recurse; a document nested thousands deep exhausts the stack. */
const TOO_DEEP = 'the document nests too deeply to read (values nest at most 64 levels; see docs/limits.md)';

function parseYaml(text: string, filename: string | undefined): unknown {
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  } catch (err) {
    if (err instanceof RangeError) throw new DefinitionSyntaxError([syntaxIssue('yaml', 1, 1, TOO_DEEP)], filename, 'yaml');
    throw err;
  }
  const overflow = doc.errors.find((e) => e.message.includes('Maximum call stack size exceeded'));
  if (overflow) {
    const { line, column } = overflow.linePos ? { line: overflow.linePos[0].line, column: overflow.linePos[0].col } : lineColumn(text, overflow.pos[0]);
    throw new DefinitionSyntaxError([syntaxIssue('yaml', line, column, TOO_DEEP)], filename, 'yaml');
  }
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((err) => {
      const { line, column } = err.linePos ? { line: err.linePos[0].line, column: err.linePos[0].col } : lineColumn(text, err.pos[0]);
      const message =
        err.code === 'MULTIPLE_DOCS'
          ? 'a definition file holds one YAML document, but a second one starts here (---)'
          : err.message.split(/ at line \d+, column \d+/)[0]!.replace(/\s+/g, ' ').trim();
      return syntaxIssue('yaml', line, column, message);
    });
    throw new DefinitionSyntaxError(issues, filename, 'yaml');
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Alias expansion past the limit (a "billion laughs" document), a bad merge key, or a document too deep.
    throw new DefinitionSyntaxError([syntaxIssue('yaml', 1, 1, err instanceof RangeError ? TOO_DEEP : (err as Error).message)], filename, 'yaml');
  }
}

function parseJson(text: string, filename: string | undefined): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // JSON.parse's messages differ between Node versions and often lack a position; find it ourselves.
    let found: { offset: number; message: string } | undefined;
    try {
      found = locateJsonError(text);
    } catch (scanError) {
      if (!(scanError instanceof RangeError)) throw scanError;
      found = { offset: 0, message: `${(err as Error).message}; ${TOO_DEEP}` };
    }
    found ??= { offset: 0, message: (err as Error).message };
    const { line, column } = lineColumn(text, found.offset);
    throw new DefinitionSyntaxError([syntaxIssue('json', line, column, found.message)], filename, 'json');
  }
}

/** Unwinds the scanner at the first error; never leaves locateJsonError. */
class JsonStop extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Scans JSON and returns the first error, or undefined when the text is valid. */
export function locateJsonError(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  const at = (): string => (i >= text.length ? 'end of input' : `\`${text[i]}\``);
  const fail = (message: string, offset = i): never => {
    throw new JsonStop(offset, message);
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): void => {
    const start = i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape in a string; expected 4 hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(`bad escape \\${e ?? ''} in a string`);
      } else if (c < ' ') fail(c === '\n' ? 'unterminated string (a newline inside a string must be written \\n)' : 'control character in a string');
      else i++;
    }
    fail('unterminated string', start);
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const m = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
      m.lastIndex = i;
      if (!m.exec(text)) fail(`bad number at ${at()}`);
      i = m.lastIndex;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(`unexpected ${at()}; expected a value (object, array, string, number, true, false or null)`);
  };
  const object = (): void => {
    i++;
    space();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      space();
      if (text[i] === '}') fail('trailing comma before "}"; JSON does not allow one', i);
      if (text[i] !== '"') fail(`unexpected ${at()}; expected a property name in double quotes`);
      string();
      space();
      if (text[i] !== ':') fail(`unexpected ${at()}; expected ":" after a property name`);
      i++;
      value();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`unexpected ${at()}; expected "," or "}" after a property value`);
    }
  };
  const array = (): void => {
    i++;
    space();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      space();
      if (text[i] === ']') fail('trailing comma before "]"; JSON does not allow one', i);
      value();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`unexpected ${at()}; expected "," or "]" after an array element`);
    }
  };
  try {
    value();
    space();
    if (i < text.length) fail(`unexpected ${at()} after the end of the JSON value`);
    return undefined;
  } catch (err) {
    if (err instanceof JsonStop) return { offset: err.offset, message: err.message };
    throw err;
  }
}
