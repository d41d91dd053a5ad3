import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FieldType } from './types.ts';

/**
 * Custom objects and fields declared by the user (or by the ledgerbridge package), as JSON:
 *   { "objects": { "Invoice__c": { "label": "Invoice", "fields": { "Total__c": { "type": "currency" } } } },
 *     "fields":  { "Account": { "Tier__c": { "type": "picklist", "picklist": ["Gold", "Silver"] } } } }
 * Field types are describe's type names (string, textarea, email, phone, url, picklist,
 * multipicklist, boolean, currency, double, int, percent, date, datetime, reference); a few
 * setup-menu aliases (text, checkbox, number, lookup) are accepted too.
 */

/** Thrown for a schema that cannot be used; the message names the object and field at fault. */
export class CustomSchemaError extends Error {
  override name = 'CustomSchemaError';
}

const TYPE_ALIASES: Record<string, FieldType> = {
  text: 'string',
  checkbox: 'boolean',
  number: 'double',
  lookup: 'reference',
  longtextarea: 'textarea',
  datetime: 'datetime',
};

export const CUSTOM_FIELD_TYPES = [
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'multipicklist',
  'boolean',
  'currency',
  'double',
  'int',
  'percent',
  'date',
  'datetime',
  'reference',
] as const;

const apiName = z
  .string()
  .regex(
    /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c$/,
    'must be an API name that starts with a letter, has no double underscores and ends in __c',
  );

const fieldSpec = z
  .strictObject({
    type: z
      .string()
      .transform((t) => TYPE_ALIASES[t.toLowerCase()] ?? t)
      .pipe(z.enum(CUSTOM_FIELD_TYPES, { message: `type must be one of ${CUSTOM_FIELD_TYPES.join(', ')}` })),
    label: z.string().min(1).max(40).optional(),
    description: z.string().max(1000).optional(),
    length: z.number().int().min(1).max(131072).optional(),
    precision: z.number().int().min(1).max(18).optional(),
    scale: z.number().int().min(0).max(17).optional(),
    externalId: z.boolean().optional(),
    unique: z.boolean().optional(),
    caseSensitive: z.boolean().optional(),
    required: z.boolean().optional(),
    picklist: z.array(z.string().min(1).max(255)).min(1).optional(),
    restricted: z.boolean().optional(),
    defaultValue: z.union([z.string(), z.boolean(), z.number()]).optional(),
    referenceTo: z.string().min(1).optional(),
    relationshipName: z.string().min(1).optional(),
    childRelationshipName: z.string().min(1).optional(),
    deleteWithParent: z.boolean().optional(),
  })
  .superRefine((f, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    if ((f.type === 'picklist' || f.type === 'multipicklist') && !f.picklist)
      issue(`a ${f.type} needs "picklist": [values]`);
    if (f.picklist && f.type !== 'picklist' && f.type !== 'multipicklist')
      issue('"picklist" is only for picklist fields');
    if (f.type === 'reference' && !f.referenceTo) issue('a reference needs "referenceTo": "<Object>"');
    if (f.referenceTo && f.type !== 'reference') issue('"referenceTo" is only for reference fields');
    if (f.length !== undefined) {
      const max = f.type === 'textarea' ? 131072 : f.type === 'string' ? 255 : 0;
      if (!max) issue(`"length" does not apply to ${f.type} fields`);
      else if (f.length > max) issue(`length must be at most ${max} for ${f.type} fields`);
    }
    const numeric = f.type === 'currency' || f.type === 'double' || f.type === 'percent' || f.type === 'int';
    if ((f.precision !== undefined || f.scale !== undefined) && !numeric)
      issue(`"precision"/"scale" do not apply to ${f.type} fields`);
    if ((f.scale ?? 0) > (f.precision ?? 18)) issue('scale must not exceed precision');
    if (f.externalId && !['string', 'email', 'int', 'double'].includes(f.type))
      issue('only string, email, int and double fields can be external ids');
    if (f.unique && !['string', 'email', 'int', 'double'].includes(f.type))
      issue('only string, email, int and double fields can be unique');
  });

const objectSpec = z.strictObject({
  label: z.string().min(1).max(40).optional(),
  labelPlural: z.string().min(1).max(40).optional(),
  description: z.string().optional(),
  nameField: z
    .strictObject({
      label: z.string().min(1).optional(),
      length: z.number().int().min(1).max(255).optional(),
    })
    .optional(),
  fields: z.record(apiName, fieldSpec).default({}),
});

const schemaSpec = z.strictObject({
  objects: z.record(apiName, objectSpec).default({}),
  fields: z.record(z.string().min(1), z.record(apiName, fieldSpec)).default({}),
});

export type CustomFieldSpec = z.infer<typeof fieldSpec>;
export type CustomObjectSpec = z.infer<typeof objectSpec>;
export type CustomSchema = z.input<typeof schemaSpec>;
export type ParsedCustomSchema = z.output<typeof schemaSpec>;

function describeIssue(issue: z.core.$ZodIssue, where: string): string {
  const path = issue.path.map(String);
  let loc = where;
  if (path[0] === 'objects' && path.length >= 2) {
    loc += `: object ${path[1]}`;
    if (path[2] === 'fields' && path.length >= 4) loc += `, field ${path[1]}.${path[3]}`;
    else if (path.length >= 3) loc += `, "${path.slice(2).join('.')}"`;
    if (path.length >= 5) loc += ` "${path.slice(4).join('.')}"`;
  } else if (path[0] === 'fields' && path.length >= 2) {
    loc += `: object ${path[1]}`;
    if (path.length >= 3) loc += `, field ${path[1]}.${path[2]}`;
    if (path.length >= 4) loc += ` "${path.slice(3).join('.')}"`;
  } else if (path.length) loc += `: "${path.join('.')}"`;
  const nested = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
  const message = nested
    ? `${nested} (got "${String(issue.path[issue.path.length - 1] ?? '')}")`
    : issue.message;
  return `${loc}: ${message}`;
}

/** Validates a schema document (object or parsed JSON); errors name the object and field. */
export function parseCustomSchema(input: unknown, where = 'schema'): ParsedCustomSchema {
  const r = schemaSpec.safeParse(input);
  if (!r.success) throw new CustomSchemaError(describeIssue(r.error.issues[0]!, where));
  return r.data;
}

/** Reads and validates a schema JSON file. */
export function loadCustomSchemaFile(file: string): ParsedCustomSchema {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CustomSchemaError(`schema: cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CustomSchemaError(`schema: ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseCustomSchema(json, `schema ${file}`);
}
