import { z } from 'zod';
import { Rng } from './rng.ts';

/**
 * Fault injection shared by every emulator. A rule matches requests by method and path and fires
 * by rate (seeded, so runs repeat), every n-th match, after the first k matches, at most `times`.
 *
 * Text form (CLI `--faults`, one rule per `;`, fields `key=value` separated by `,` or spaces):
 *   action=drop-response,method=POST,path=*\/batch,rate=0.2
 *   action=503,every=10;action=expire-token,after=50,times=1;action=delay:30000,path=*\/query*
 * Actions: an HTTP status (400-599), `throttle`, `delay:<ms>`, `expire-token`, `drop-response`.
 */

export type FaultAction =
  | { kind: 'status'; status: number }
  | { kind: 'throttle' }
  | { kind: 'delay'; ms: number }
  | { kind: 'expire-token' }
  | { kind: 'drop-response' };

export interface FaultRule {
  id: string;
  method?: string;
  path?: string;
  rate?: number;
  every?: number;
  after?: number;
  times?: number;
  action: FaultAction;
}

/** Thrown for a fault spec that cannot be understood; the message names the rule and field. */
export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

const actionText = z.string().transform((s, ctx): FaultAction => {
  const t = s.trim().toLowerCase();
  if (/^\d{3}$/.test(t)) {
    const status = Number(t);
    if (status < 400 || status > 599) {
      ctx.addIssue({ code: 'custom', message: `status ${status} is not an error status (400-599)` });
      return z.NEVER;
    }
    return { kind: 'status', status };
  }
  if (t === 'throttle') return { kind: 'throttle' };
  if (t === 'expire-token') return { kind: 'expire-token' };
  if (t === 'drop-response') return { kind: 'drop-response' };
  const delay = /^delay:(\d+)$/.exec(t);
  if (delay) return { kind: 'delay', ms: Number(delay[1]) };
  ctx.addIssue({
    code: 'custom',
    message: `unknown action "${s}" (use an HTTP status 400-599, throttle, delay:<ms>, expire-token or drop-response)`,
  });
  return z.NEVER;
});

const ruleSchema = z
  .object({
    id: z.string().min(1).optional(),
    method: z
      .string()
      .regex(
        /^(\*|GET|POST|PUT|PATCH|DELETE|HEAD)$/i,
        'method must be GET, POST, PUT, PATCH, DELETE, HEAD or *',
      )
      .optional(),
    path: z.string().min(1).optional(),
    rate: z.coerce.number().min(0).max(1).optional(),
    every: z.coerce.number().int().min(1).optional(),
    after: z.coerce.number().int().min(0).optional(),
    times: z.coerce.number().int().min(1).optional(),
    action: actionText,
  })
  .strict();

/** Parses rules given as JSON objects (control endpoint) into validated rules. */
export function parseFaultRules(input: unknown, where = 'faults'): FaultRule[] {
  const list = Array.isArray(input) ? input : [input];
  return list.map((raw, i) => {
    const r = ruleSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const field = issue.path.join('.') || 'rule';
      throw new FaultSpecError(`${where}: rule ${i + 1}, ${field}: ${issue.message}`);
    }
    const { id, method, ...rest } = r.data;
    const rule: FaultRule = { ...rest, id: id ?? `f${i + 1}` };
    if (method && method !== '*') rule.method = method.toUpperCase();
    return rule;
  });
}

/** Parses the text form of a fault spec (see the module comment). */
export function parseFaultSpec(spec: string): FaultRule[] {
  const objects = spec
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((text, i) => {
      const obj: Record<string, string> = {};
      for (const part of text.split(/[,\s]+/).filter(Boolean)) {
        const eq = part.indexOf('=');
        if (eq <= 0) throw new FaultSpecError(`--faults: rule ${i + 1}: "${part}" is not key=value`);
        obj[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
      }
      return obj;
    });
  return parseFaultRules(objects, '--faults');
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

interface ActiveRule {
  rule: FaultRule;
  path: RegExp | null;
  matched: number;
  fired: number;
}

/** Decides, request by request, which fault (if any) applies. */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private rng: Rng;
  private seq = 0;

  constructor(seed: number | string = 1) {
    this.rng = new Rng(`faults:${seed}`);
  }

  /** Adds rules; ids are made unique so each can be removed later. */
  add(rules: FaultRule[]): FaultRule[] {
    return rules.map((rule) => {
      const withId = { ...rule, id: `${rule.id}-${++this.seq}` };
      this.rules.push({
        rule: withId,
        path: rule.path ? globToRegExp(rule.path) : null,
        matched: 0,
        fired: 0,
      });
      return withId;
    });
  }

  /** Removes one rule by id, or all when no id is given; returns how many were removed. */
  remove(id?: string): number {
    const before = this.rules.length;
    this.rules = id ? this.rules.filter((r) => r.rule.id !== id) : [];
    return before - this.rules.length;
  }

  /** The rules with their counters, for inspection. */
  list(): Array<FaultRule & { matched: number; fired: number }> {
    return this.rules.map((r) => ({ ...r.rule, matched: r.matched, fired: r.fired }));
  }

  /** The first rule that fires for this request, counting matches on every rule it matches. */
  match(method: string, path: string): FaultAction | null {
    let hit: FaultAction | null = null;
    for (const r of this.rules) {
      if (r.rule.method && r.rule.method !== method.toUpperCase()) continue;
      if (r.path && !r.path.test(path)) continue;
      r.matched++;
      if (hit) continue;
      if (r.rule.times !== undefined && r.fired >= r.rule.times) continue;
      if (r.rule.after !== undefined && r.matched <= r.rule.after) continue;
      const n = r.matched - (r.rule.after ?? 0);
      if (r.rule.every !== undefined && n % r.rule.every !== 0) continue;
      if (r.rule.rate !== undefined && !this.rng.chance(r.rule.rate)) continue;
      r.fired++;
      hit = r.rule.action;
    }
    return hit;
  }
}
