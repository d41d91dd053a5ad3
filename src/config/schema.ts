import { z } from 'zod';

/**
 * The shape of ledgerbridge.yaml, validated with zod. Checks that need no field catalog live
 * here and in structure.ts; checks against the live fields happen when a flow is compiled.
 */

export const DIRECTIONS = ['both', 'sf->qb', 'qb->sf'] as const;
export const CONFLICT_POLICIES = ['salesforce-wins', 'quickbooks-wins', 'last-writer-wins', 'hold'] as const;
export const DELETE_POLICIES = ['ignore', 'deactivate', 'delete'] as const;
export const MATCH_RULES = ['external-id', 'name', 'email'] as const;
export const FIRST_LINK_WINNERS = ['salesforce', 'quickbooks', 'none'] as const;
export const RELATED_PICKS = ['first-created', 'last-created', 'last-modified'] as const;

/** Accepts the arrows of the issue text (sf→qb) and any case. */
function normalizeDirection(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase().replace(/\s+/g, '').replace(/→/g, '->').replace(/←/g, '<-');
  const aliases: Record<string, string> = {
    'salesforce->quickbooks': 'sf->qb',
    'quickbooks->salesforce': 'qb->sf',
    'qb<-sf': 'sf->qb',
    'sf<-qb': 'qb->sf',
    'sf<->qb': 'both',
    'qb<->sf': 'both',
  };
  return aliases[s] ?? s;
}

const text = z.string().trim().min(1, 'must not be empty');
const expression = z.string().trim().min(1, 'must not be empty');
const direction = z.preprocess(normalizeDirection, z.enum(DIRECTIONS));

/** A literal value: text, a number (kept exact), true/false or null. */
export const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'must be text, a number, true/false or null',
});

const fieldPath = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/,
    'must be a field name (Name, contact.Email, BillAddr.Line1)',
  );

export const fieldSchema = z.strictObject({
  sf: fieldPath.optional(),
  qb: fieldPath.optional(),
  direction: direction.optional(),
  constant: scalar.optional(),
  default: z
    .union([scalar, z.strictObject({ toQuickbooks: scalar.optional(), toSalesforce: scalar.optional() })], {
      error: 'must be a value, or { toQuickbooks: value, toSalesforce: value }',
    })
    .optional(),
  valueMap: z.record(z.string(), scalar).optional(),
  reverseMap: z.record(z.string(), scalar).optional(),
  toQuickbooks: expression.optional(),
  toSalesforce: expression.optional(),
  lookup: z.enum(['linked']).optional(),
  onCreateOnly: z.boolean().optional(),
  truncate: z.boolean().optional(),
});

const relatedSchema = z.strictObject({
  object: text,
  parentField: text,
  pick: z.enum(RELATED_PICKS).default('first-created'),
  externalIdField: text.nullable().default(null),
  writeIf: expression.nullable().default(null),
  create: z.boolean().default(true),
});

const keyPair = z.strictObject({ sf: fieldPath, qb: fieldPath });

export const flowSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and use only letters, digits, - and _'),
  extends: text.nullable().default(null),
  description: z.string().nullable().default(null),
  enabled: z.boolean().default(true),
  salesforce: z.strictObject({
    connection: text.default('salesforce'),
    object: text,
    externalIdField: text.nullable().default(null),
    related: z
      .record(
        z.string().regex(/^[a-z][A-Za-z0-9_]*$/, 'must start with a small letter (contact)'),
        relatedSchema,
      )
      .default({}),
  }),
  quickbooks: z.strictObject({
    connection: text.default('qbo'),
    entity: text,
  }),
  direction: direction.default('both'),
  createMissing: z
    .strictObject({ toQuickbooks: z.boolean().default(false), toSalesforce: z.boolean().default(false) })
    .default({ toQuickbooks: false, toSalesforce: false }),
  match: z.array(z.enum(MATCH_RULES)).default(['external-id', 'name']),
  keys: z.strictObject({ name: keyPair.optional(), email: keyPair.nullable().optional() }).default({}),
  criteria: z
    .strictObject({
      salesforce: expression.nullable().default(null),
      quickbooks: expression.nullable().default(null),
    })
    .default({ salesforce: null, quickbooks: null }),
  conflict: z.enum(CONFLICT_POLICIES).default('hold'),
  onFirstLink: z.enum(FIRST_LINK_WINNERS).default('none'),
  deletes: z
    .strictObject({
      toQuickbooks: z.enum(DELETE_POLICIES).default('ignore'),
      toSalesforce: z.enum(DELETE_POLICIES).default('ignore'),
      salesforceActiveField: text.nullable().default(null),
    })
    .default({ toQuickbooks: 'ignore', toSalesforce: 'ignore', salesforceActiveField: null }),
  fields: z.array(fieldSchema).min(1, 'must list at least one field'),
  omitFields: z.array(text).optional(),
});

export const configSchema = z.strictObject({
  version: z.literal(1, { error: 'must be 1' }).optional(),
  flows: z.array(z.unknown()).min(1, 'must list at least one flow'),
});

export type ParsedFlow = z.output<typeof flowSchema>;
export type ParsedField = z.output<typeof fieldSchema>;

/**
 * The keys an object accepts at `path` under `schema`, for "did you mean" on unknown keys.
 * Walks zod's definitions through optional/default/nullable wrappers, arrays and records.
 */
export function allowedKeysAt(schema: z.ZodType, path: ReadonlyArray<string | number>): string[] {
  type Def = {
    type: string;
    innerType?: z.ZodType;
    element?: z.ZodType;
    valueType?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    options?: z.ZodType[];
    in?: z.ZodType;
    out?: z.ZodType;
  };
  const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
  const unwrap = (s: z.ZodType): z.ZodType[] => {
    const d = defOf(s);
    if (d.innerType) return unwrap(d.innerType);
    if (d.type === 'pipe') return unwrap(d.out!);
    if (d.type === 'union') return d.options!.flatMap(unwrap);
    return [s];
  };
  let current = unwrap(schema);
  for (const k of path) {
    const next: z.ZodType[] = [];
    for (const s of current) {
      const d = defOf(s);
      if (d.type === 'object' && typeof k === 'string' && d.shape?.[k]) next.push(...unwrap(d.shape[k]));
      if (d.type === 'array' && typeof k === 'number') next.push(...unwrap(d.element!));
      if (d.type === 'record') next.push(...unwrap(d.valueType!));
    }
    current = next;
  }
  return current.flatMap((s) => {
    const d = defOf(s);
    return d.type === 'object' ? Object.keys(d.shape ?? {}) : [];
  });
}
