import { readFile } from 'node:fs/promises';
import { didYouMean } from '../mapping/suggest.ts';
import { mergeWithPack } from './extends.ts';
import { ConfigError, sortIssues, type ConfigIssue } from './issues.ts';
import { loadPack, packIds } from './packs.ts';
import { configSchema, flowSchema } from './schema.ts';
import { SourceTable, readYaml, type PathKey } from './source.ts';
import { normalizeFlow } from './structure.ts';
import type { FlowConfig, LedgerbridgeConfig } from './types.ts';
import { describeZodIssues } from './zod-issues.ts';

/** The name issues in the embedded defaults are reported under. */
export const DEFAULTS_FILE = '(built-in defaults)';

// With no config file, ledgerbridge runs the baseline customer flow as shipped.
const DEFAULT_YAML = `flows:
  - name: customers
    extends: baseline/customer-account
`;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function fieldLabel(fields: unknown, index: PathKey | undefined): string | undefined {
  if (!Array.isArray(fields) || typeof index !== 'number') return undefined;
  const f = fields[index];
  if (isObj(f)) {
    if (typeof f.sf === 'string') return f.sf;
    if (typeof f.qb === 'string') return f.qb;
  }
  return `#${index + 1}`;
}

/** Reads, validates and resolves a configuration; throws ConfigError listing every problem. */
export function parseConfig(text: string, file: string): LedgerbridgeConfig {
  const table = new SourceTable();
  const issues: ConfigIssue[] = [];
  const fail = (): never => {
    throw new ConfigError(sortIssues(issues));
  };
  const { value, issues: yamlIssues } = readYaml(text, file, table);
  issues.push(...yamlIssues);
  if (issues.length) fail();
  if (value === null || value === undefined) {
    issues.push({ file, message: 'the file is empty: it needs a list of flows (flows:)' });
    fail();
  }
  const top = configSchema.safeParse(value);
  if (!top.success) {
    issues.push(
      ...describeZodIssues(top.error.issues, {
        root: value,
        schema: configSchema,
        table,
        file,
        label: (path) => {
          if (path[0] !== 'flows' || typeof path[1] !== 'number') return { skip: 0 };
          const flow = isObj(value) && Array.isArray(value.flows) ? value.flows[path[1]] : undefined;
          return {
            flow: isObj(flow) && typeof flow.name === 'string' ? flow.name : `#${path[1] + 1}`,
            skip: 2,
          };
        },
      }),
    );
    fail();
  }
  const rawFlows = (value as Obj).flows as unknown[];
  const flowsInfo = table.get(rawFlows);
  const flows: FlowConfig[] = [];
  const names = new Map<string, number>();
  rawFlows.forEach((rawFlow, i) => {
    const where = flowsInfo?.values.get(i);
    const label = isObj(rawFlow) && typeof rawFlow.name === 'string' ? rawFlow.name : `#${i + 1}`;
    if (!isObj(rawFlow)) {
      issues.push({
        file,
        ...(where ? { line: where.line, column: where.column } : {}),
        flow: label,
        message: 'a flow must be a mapping (name:, salesforce:, ...)',
      });
      return;
    }
    let merged: { raw: unknown; packFields: Set<object> } = { raw: rawFlow, packFields: new Set() };
    const ext = rawFlow.extends;
    if (typeof ext === 'string' && ext.trim() !== '') {
      const pack = loadPack(ext.trim(), table);
      const loc = table.locate(rawFlow, ['extends']);
      if (!pack) {
        issues.push({
          file,
          ...(loc ? { line: loc.line, column: loc.column } : {}),
          flow: label,
          message: `extends: there is no pack '${ext}'${didYouMean(ext, packIds()) || ` (packs: ${packIds().join(', ')})`}`,
        });
        return;
      }
      issues.push(...pack.issues);
      if (pack.issues.length) return;
      if (isObj(pack.raw) && pack.raw.extends !== undefined) {
        issues.push({ file: pack.file, flow: label, message: 'a pack cannot extend another pack' });
        return;
      }
      const m = mergeWithPack(pack.raw, rawFlow, table, label, file);
      issues.push(...m.issues);
      merged = m;
    } else if (rawFlow.omitFields !== undefined) {
      const loc = table.locate(rawFlow, ['omitFields'], 'key');
      issues.push({
        file,
        ...(loc ? { line: loc.line, column: loc.column } : {}),
        flow: label,
        message: 'omitFields only applies to a flow that extends a pack',
      });
    }
    const root = merged.raw;
    const parsed = flowSchema.safeParse(root);
    if (!parsed.success) {
      issues.push(
        ...describeZodIssues(parsed.error.issues, {
          root,
          schema: flowSchema,
          table,
          file,
          label: (path) => {
            if (path[0] !== 'fields' || path.length < 2) return { flow: label, skip: 0 };
            const field = fieldLabel(isObj(root) ? root.fields : undefined, path[1]);
            return { flow: label, ...(field !== undefined ? { field } : {}), skip: 2 };
          },
        }),
      );
      return;
    }
    const { flow, issues: flowIssues } = normalizeFlow({
      parsed: parsed.data,
      raw: root as Obj,
      own: rawFlow,
      packFields: merged.packFields,
      table,
      file,
    });
    issues.push(...flowIssues);
    const seen = names.get(flow.name.toLowerCase());
    if (seen !== undefined) {
      const loc = table.locate(rawFlow, ['name']);
      issues.push({
        file,
        ...(loc ? { line: loc.line, column: loc.column } : {}),
        flow: flow.name,
        message: `another flow is already named '${flow.name}' (flow #${seen + 1}); flow names must be unique`,
      });
    }
    names.set(flow.name.toLowerCase(), i);
    flows.push(flow);
  });
  if (issues.length) fail();
  return { version: 1, file: file === DEFAULTS_FILE ? null : file, flows };
}

/** The embedded defaults: the baseline customer-account flow, as shipped. */
export function defaultConfig(): LedgerbridgeConfig {
  return parseConfig(DEFAULT_YAML, DEFAULTS_FILE);
}

/** Loads ledgerbridge.yaml from `file`, or the embedded defaults when no file is given. */
export async function loadConfig(file?: string): Promise<LedgerbridgeConfig> {
  if (file === undefined) return defaultConfig();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
    throw new ConfigError([{ file, message: `cannot read the configuration: ${why}` }]);
  }
  return parseConfig(text, file);
}
