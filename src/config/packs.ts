import { readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigIssue } from './issues.ts';
import { readYaml, type SourceTable } from './source.ts';

/**
 * The shipped flow packs (src/mapping/packs/*.yaml): ready-made flows a config `extends` and
 * overrides. A pack file is one flow, written exactly as a flow in ledgerbridge.yaml.
 */

const PACK_DIR = new URL('../mapping/packs/', import.meta.url);
/** Packs are named `baseline/<file name without .yaml>`. */
export const PACK_PREFIX = 'baseline/';

const textCache = new Map<string, string>();

/** The ids of every shipped pack (baseline/customer-account, ...). */
export function packIds(): string[] {
  return readdirSync(PACK_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `${PACK_PREFIX}${f.slice(0, -'.yaml'.length)}`)
    .sort();
}

/** The path a pack is reported under: relative to the working directory when that is shorter. */
function displayPath(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  return rel && !rel.startsWith('..') ? rel : absolute;
}

export interface LoadedPack {
  id: string;
  file: string;
  raw: unknown;
  issues: ConfigIssue[];
}

/** Reads a shipped pack, or returns null when there is no pack of that id. */
export function loadPack(id: string, table: SourceTable): LoadedPack | null {
  if (!id.startsWith(PACK_PREFIX) || !packIds().includes(id)) return null;
  const url = new URL(`${id.slice(PACK_PREFIX.length)}.yaml`, PACK_DIR);
  const absolute = fileURLToPath(url);
  let text = textCache.get(absolute);
  if (text === undefined) {
    text = readFileSync(url, 'utf8');
    textCache.set(absolute, text);
  }
  const file = displayPath(absolute);
  const { value, issues } = readYaml(text, file, table);
  return { id, file, raw: value, issues };
}
