/**
 * Fails when modules under src/ import each other in a circle, and prints each
 * circle. Run by `npm run check`, so a cycle cannot come back unnoticed.
 *
 * Imports are found and resolved by the TypeScript compiler itself (the same
 * resolution tsc uses), so there is no second idea of what a path means and no
 * extra dependency. Only imports that exist at run time count: `import type`
 * (and imports whose every name is a type) are erased by the compiler, and a
 * part that is handed its owner (the run machine's parts get `RunMachine`)
 * needs its owner's type, which is not a load-order tangle.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '..');
const configPath = ts.findConfigFile(root, (f) => ts.sys.fileExists(f), 'tsconfig.json');
if (!configPath) throw new Error(`no tsconfig.json in ${root}`);
const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, (f) => ts.sys.readFile(f)).config, ts.sys, root);
const srcDir = resolve(root, 'src') + '/';
const files = parsed.fileNames.filter((f) => resolve(f).startsWith(srcDir) && !f.endsWith('.d.ts')).map((f) => resolve(f));

/** Module specifiers a file imports or re-exports at run time (type-only ones are erased). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const names: string[] = [];
  const typeOnlyNamed = (elements: readonly { isTypeOnly: boolean }[]): boolean => elements.length > 0 && elements.every((e) => e.isTypeOnly);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const erased = clause !== undefined && (clause.isTypeOnly || (!clause.name && bindings !== undefined && ts.isNamedImports(bindings) && typeOnlyNamed(bindings.elements)));
      if (!erased) names.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const erased = node.isTypeOnly || (node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && typeOnlyNamed(node.exportClause.elements));
      if (!erased) names.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      names.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/** Edges from each file to the files under src/ it imports. */
const graph = new Map<string, string[]>();
for (const file of files) {
  const targets = runtimeImports(file)
    .map((name) => ts.resolveModuleName(name, file, parsed.options, ts.sys).resolvedModule?.resolvedFileName)
    .filter((t): t is string => t !== undefined && resolve(t).startsWith(srcDir) && !t.endsWith('.d.ts'))
    .map((t) => resolve(t));
  graph.set(file, [...new Set(targets)]);
}

/** Tarjan's strongly connected components: every component with more than one file (or a self-import) is a cycle. */
function cycles(): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component);
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

/** The shortest loop from one file of a component back to itself, so the message shows the imports to cut. */
function loopThrough(component: string[]): string[] {
  const members = new Set(component);
  const start = component.slice().sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const here = queue.shift()!;
    for (const n of graph.get(here) ?? []) {
      if (n === start) {
        const path = [here];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (members.has(n) && !cameFrom.has(n)) {
        cameFrom.set(n, here);
        queue.push(n);
      }
    }
  }
  return component;
}

const found = cycles();
const name = (f: string): string => relative(root, f);
if (found.length === 0) {
  console.log(`check-cycles: no import cycles among ${files.length} files in src/`);
} else {
  console.error(`check-cycles: ${found.length} import cycle(s) in src/:`);
  for (const component of found) console.error(`  ${loopThrough(component).map(name).join(' → ')}`);
  process.exitCode = 1;
}
