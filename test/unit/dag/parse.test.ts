/** parseDefinitionText: YAML or JSON by extension, syntax errors with line and column. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definitionFormat, DefinitionSyntaxError, locateJsonError, parseDefinitionText } from '../../../src/dag/parse';
import { DagValidationError } from '../../../src/dag/validate';

const SYNTAX = join(__dirname, '..', '..', 'fixtures', 'dags', 'syntax');

function syntaxError(text: string, filename: string): DefinitionSyntaxError {
  try {
    parseDefinitionText(text, { filename });
  } catch (err) {
    if (err instanceof DefinitionSyntaxError) return err;
    throw err;
  }
  throw new Error('expected a syntax error');
}

describe('parseDefinitionText', () => {
  it('parses YAML for .yaml and .yml files', () => {
    expect(parseDefinitionText('name: a\nnodes: [{ id: x, activity: y.z }]\n', { filename: 'a.yml' })).toEqual({ name: 'a', nodes: [{ id: 'x', activity: 'y.z' }] });
  });

  it('parses JSON for .json files', () => {
    expect(parseDefinitionText('{"name": "a", "nodes": []}', { filename: 'dags/a.JSON' })).toEqual({ name: 'a', nodes: [] });
  });

  it('picks the format by extension, YAML when there is none', () => {
    expect([definitionFormat('a.json'), definitionFormat('a.yaml'), definitionFormat('a.yml'), definitionFormat(undefined)]).toEqual(['json', 'yaml', 'yaml', 'yaml']);
  });

  it('keeps an unquoted ISO time in YAML as a string', () => {
    expect(parseDefinitionText('at: 2026-12-01T09:00:00Z\n', { filename: 'a.yaml' })).toEqual({ at: '2026-12-01T09:00:00Z' });
  });

  it('reports a YAML indentation error with its line and column', () => {
    const err = syntaxError(readFileSync(join(SYNTAX, 'bad-indent.yaml'), 'utf8'), 'bad-indent.yaml');
    expect(err.format).toBe('yaml');
    expect(err.source).toBe('bad-indent.yaml');
    expect(err.issues).toEqual([
      { path: '(file)', code: 'syntax', line: 4, column: 1, message: 'YAML syntax error at line 4, column 1: Sequence item without - indicator' },
    ]);
  });

  it('reports a duplicate YAML key, which would otherwise hide a value', () => {
    const err = syntaxError('name: a\nname: b\n', 'a.yaml');
    expect(err.issues[0]).toMatchObject({ line: 2, column: 1, message: expect.stringContaining('Map keys must be unique') });
  });

  it('reports a second YAML document in one file', () => {
    const err = syntaxError('name: a\n---\nname: b\n', 'a.yaml');
    expect(err.issues[0]).toMatchObject({ line: 2, column: 1, message: expect.stringContaining('a second one starts here') });
  });

  it('reports a JSON trailing comma with its line and column', () => {
    const err = syntaxError(readFileSync(join(SYNTAX, 'trailing-comma.json'), 'utf8'), 'trailing-comma.json');
    expect(err.format).toBe('json');
    expect(err.issues).toEqual([
      { path: '(file)', code: 'syntax', line: 5, column: 3, message: 'JSON syntax error at line 5, column 3: trailing comma before "]"; JSON does not allow one' },
    ]);
  });

  it('reports a missing comma in JSON at the next property', () => {
    const err = syntaxError('{\n  "a": 1\n  "b": 2\n}', 'a.json');
    expect(err.issues[0]).toMatchObject({ line: 3, column: 3, message: expect.stringContaining('expected "," or "}" after a property value') });
  });

  it('reports truncated JSON at its end', () => {
    expect(syntaxError('{"a": [1, 2', 'a.json').issues[0]).toMatchObject({ line: 1, column: 12, message: expect.stringContaining('unexpected end of input') });
  });

  it('reports an empty file as a DAG validation problem, not a syntax error', () => {
    let error: unknown;
    try {
      parseDefinitionText('# nothing here\n', { filename: 'empty.yaml' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DagValidationError);
    expect(error).not.toBeInstanceOf(DefinitionSyntaxError);
    expect((error as DagValidationError).issues[0]!.message).toContain('the file is empty');
  });

  it('makes a syntax error a DagValidationError too, so callers handle both alike', () => {
    expect(syntaxError('{', 'a.json')).toBeInstanceOf(DagValidationError);
  });
});

describe('locateJsonError', () => {
  it('finds nothing in valid JSON', () => {
    expect(locateJsonError('{"a": [1, -2.5e3, "x\\n\\u00e9", true, false, null], "b": {}}')).toBeUndefined();
  });

  it('finds a single-quoted property name at its offset', () => {
    expect(locateJsonError("{'a': 1}")).toEqual({ offset: 1, message: 'unexpected `\'`; expected a property name in double quotes' });
  });
});
