import { didYouMean } from '../suggest.ts';
import { at, ExpressionError, type ExpressionIssue } from './errors.ts';
import { accepts, FUNCTIONS, literalInfo, type ArgInfo } from './functions.ts';
import { parseExpression, type Node } from './parser.ts';
import { toDate, toNumber, type ExprType, type ExprValue } from './values.ts';

/** A field an expression may read: the key the caller will be asked for, and its type. */
export interface FieldBinding {
  key: string;
  type: ExprType;
}

/** Resolves a field path of an expression, or explains why it cannot (with suggestions). */
export type FieldResolver = (path: string) => FieldBinding | { error: string };

export interface CompiledExpression {
  source: string;
  /** The static type of the result ('any' when it depends on the data). */
  type: ExprType;
  /** Keys of the fields the expression reads, as the resolver named them. */
  fields: string[];
  /** Computes the value; `read` returns the value of a field key. May throw ExpressionRuntimeError. */
  evaluate(read: (key: string) => ExprValue): ExprValue;
}

type Compiled = { type: ExprType; run: (read: (key: string) => ExprValue) => ExprValue; info: ArgInfo };

const TYPE_WORDS: Record<ExprType, string> = {
  text: 'text',
  number: 'a number',
  boolean: 'true/false',
  date: 'a date',
  any: 'any value',
};

/** A readable name for the static type, for messages. */
export function typeWord(t: ExprType): string {
  return TYPE_WORDS[t];
}

/**
 * Parses and checks an expression once: syntax, function names and argument counts, literal
 * arguments, field names (when a resolver is given) and argument types. Every problem found is
 * reported, each with its column; the result evaluates without re-parsing.
 */
export function compileExpression(source: string, resolve?: FieldResolver): CompiledExpression {
  const ast = parseExpression(source);
  const issues: ExpressionIssue[] = [];
  const fields = new Set<string>();
  const issue = (what: string, column: number) => issues.push({ column, message: at(what, column, source) });
  const text = (n: Node) => source.slice(n.column - 1, n.end - 1);

  const compile = (node: Node): Compiled => {
    if (node.kind === 'literal') {
      const info = literalInfo(node.value, node.numeric);
      const value = info.literal ?? null;
      return { type: info.type, run: () => value, info };
    }
    if (node.kind === 'field') {
      let binding: FieldBinding = { key: node.path, type: 'any' };
      if (resolve) {
        const r = resolve(node.path);
        if ('error' in r) {
          issue(r.error, node.column);
        } else binding = r;
      }
      fields.add(binding.key);
      const key = binding.key;
      return { type: binding.type, run: (read) => read(key), info: { type: binding.type, isLiteral: false } };
    }
    const spec = FUNCTIONS.get(node.name) ?? FUNCTIONS.get(node.name.toLowerCase());
    const args = node.args.map(compile);
    if (!spec) {
      issue(`unknown function '${node.name}'${didYouMean(node.name, FUNCTIONS.keys())}`, node.column);
      return { type: 'any', run: () => null, info: { type: 'any', isLiteral: false } };
    }
    if (args.length < spec.min || args.length > spec.max) {
      const want =
        spec.min === spec.max
          ? `${spec.min} argument${spec.min === 1 ? '' : 's'}`
          : spec.max === Infinity
            ? `at least ${spec.min} arguments`
            : `${spec.min} to ${spec.max} arguments`;
      issue(`${spec.name} takes ${want} but has ${args.length} (${spec.usage})`, node.column);
      return { type: 'any', run: () => null, info: { type: 'any', isLiteral: false } };
    }
    const infos = args.map((a) => a.info);
    const flagged = new Set<number>();
    args.forEach((a, i) => {
      const wanted = spec.param(i);
      const argNode = node.args[i]!;
      if (!accepts(wanted, a.type)) {
        flagged.add(i);
        const hint =
          wanted === 'boolean' && a.type === 'text'
            ? ` (test it with empty(${text(argNode)}) or eq(${text(argNode)}, ...))`
            : '';
        issue(
          `${spec.name} needs ${typeWord(wanted)} as argument ${i + 1}, but ${text(argNode)} is ${typeWord(a.type)}${hint}`,
          argNode.column,
        );
      } else if (a.info.isLiteral && typeof a.info.literal === 'string' && a.type === 'text') {
        // A literal text where a number or date is wanted must be one now, not at run time.
        try {
          if (wanted === 'number') toNumber(a.info.literal);
          if (wanted === 'date') toDate(a.info.literal);
        } catch (e) {
          flagged.add(i);
          issue(`${spec.name} argument ${i + 1}: ${(e as Error).message}`, argNode.column);
        }
      }
    });
    const bad = spec.check?.(infos);
    if (bad && !flagged.has(bad.index)) issue(bad.message, node.args[bad.index]?.column ?? node.column);
    const runs = args.map((a) => a.run);
    const type = spec.returns(infos);
    const run = (read: (key: string) => ExprValue) => spec.run(runs.map((r) => () => r(read)));
    return { type, run, info: { type, isLiteral: false } };
  };

  const root = compile(ast);
  if (issues.length) throw new ExpressionError(source, issues);
  return { source, type: root.type, fields: [...fields], evaluate: root.run };
}
