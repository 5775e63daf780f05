/** Pure, deterministic DAG core: schema, validation, compilation, expressions, builder, graph export. */
export * from './schema';
export * from './types';
export * from './duration';
export * from './validate';
export * from './compile';
export { ExpressionError, evaluateTemplate, evaluateValue, isTemplate, referencedNodes, type ExpressionContext } from './expressions';
export * from './builder';
export * from './graph';
// parse.ts is imported directly ('src/dag/parse'), so the workflow bundle does not carry the YAML parser.
