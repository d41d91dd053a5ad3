import { field, indexFields, object, reference, systemFields } from './build.ts';
import { CustomSchemaError, type CustomFieldSpec, type ParsedCustomSchema } from './custom-schema.ts';
import { standardObjects } from './standard-objects.ts';
import type { FieldDef, ObjectDef } from './types.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The org's metadata: standard objects plus declared custom objects and fields. */
export class Schema {
  private readonly byName = new Map<string, ObjectDef>();
  private readonly byPrefix = new Map<string, ObjectDef>();

  private constructor(objects: ObjectDef[]) {
    for (const o of objects) {
      this.byName.set(o.name.toLowerCase(), o);
      this.byPrefix.set(o.keyPrefix, o);
    }
  }

  /** Standard objects with each schema document applied in turn (package schema first). */
  static build(customs: ParsedCustomSchema[]): Schema {
    const objects = standardObjects();
    const byName = new Map(objects.map((o) => [o.name.toLowerCase(), o]));
    let customCount = 0;
    for (const doc of customs) {
      for (const [name, spec] of Object.entries(doc.objects)) {
        if (byName.has(name.toLowerCase()))
          throw new CustomSchemaError(`schema: object ${name}: already exists`);
        const label = spec.label ?? name.replace(/__c$/, '').replace(/_/g, ' ');
        const { head, audit } = systemFields(true);
        const owner = audit.shift()!;
        const o = object(
          name,
          {
            label,
            labelPlural: spec.labelPlural ?? `${label}s`,
            keyPrefix: `a0${BASE62[customCount++ % 62]}`,
            custom: true,
          },
          [
            head[0]!,
            owner,
            head[1]!,
            field('Name', 'string', {
              label: spec.nameField?.label ?? `${label} Name`,
              length: spec.nameField?.length ?? 80,
              nameField: true,
            }),
            ...audit,
            field('LastViewedDate', 'datetime', {
              label: 'Last Viewed Date',
              createable: false,
              updateable: false,
            }),
            field('LastReferencedDate', 'datetime', {
              label: 'Last Referenced Date',
              createable: false,
              updateable: false,
            }),
          ],
        );
        objects.push(o);
        byName.set(name.toLowerCase(), o);
      }
      const additions: Array<[string, Record<string, CustomFieldSpec>]> = [
        ...Object.entries(doc.objects).map(
          ([n, s]) => [n, s.fields] as [string, Record<string, CustomFieldSpec>],
        ),
        ...Object.entries(doc.fields),
      ];
      for (const [objectName, fields] of additions) {
        const target = byName.get(objectName.toLowerCase());
        if (!target)
          throw new CustomSchemaError(
            `schema: object ${objectName}: no such object (declare it under "objects", or use one of ${[...byName.values()].map((o) => o.name).join(', ')})`,
          );
        for (const [fieldName, spec] of Object.entries(fields)) {
          if (target.byLower.has(fieldName.toLowerCase()))
            throw new CustomSchemaError(
              `schema: object ${target.name}, field ${target.name}.${fieldName}: already exists`,
            );
          if (spec.referenceTo && !byName.has(spec.referenceTo.toLowerCase()))
            throw new CustomSchemaError(
              `schema: object ${target.name}, field ${target.name}.${fieldName}: referenceTo ${spec.referenceTo} is not an object of this org`,
            );
          const def = customField(fieldName, spec, target, byName);
          target.fields.push(def);
          indexFields(target);
        }
      }
    }
    linkChildRelationships(objects);
    return new Schema(objects);
  }

  /** Every object, in describeGlobal order (alphabetical, like the real list). */
  list(): ObjectDef[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** An object by name, case-insensitively. */
  get(name: string): ObjectDef | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The object whose ids start with this key prefix. */
  byKeyPrefix(prefix: string): ObjectDef | undefined {
    return this.byPrefix.get(prefix);
  }
}

function customField(
  name: string,
  spec: CustomFieldSpec,
  owner: ObjectDef,
  byName: Map<string, ObjectDef>,
): FieldDef {
  const type = spec.type;
  const common = {
    label: spec.label ?? name.replace(/__c$/, '').replace(/_/g, ' '),
    inlineHelpText: spec.description ?? null,
    externalId: spec.externalId ?? false,
    unique: spec.unique ?? false,
    caseSensitive: spec.caseSensitive ?? false,
    idLookup: spec.externalId ?? false,
    nillable: !(spec.required ?? false) && type !== 'boolean',
    custom: true,
  };
  if (type === 'reference') {
    const to = byName.get(spec.referenceTo!.toLowerCase())!;
    const childName =
      spec.childRelationshipName ??
      `${owner.labelPlural.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
    return reference(name, [to.name], {
      ...common,
      relationshipName: spec.relationshipName ?? name.replace(/__c$/, '__r'),
      childRelationshipName: childName.endsWith('__r') ? childName : `${childName}__r`,
      deleteWithParent: spec.deleteWithParent ?? false,
      cascadeDelete: spec.deleteWithParent ?? false,
    });
  }
  const lengths: Partial<Record<string, number>> = {
    string: 255,
    textarea: 32768,
    email: 80,
    phone: 40,
    url: 255,
  };
  const numeric = type === 'currency' || type === 'double' || type === 'percent';
  const precision = spec.precision ?? 18;
  const scale = spec.scale ?? (type === 'currency' ? 2 : 0);
  let defaultValue: string | boolean | null = type === 'boolean' ? false : null;
  if (spec.defaultValue !== undefined)
    defaultValue = type === 'boolean' ? Boolean(spec.defaultValue) : String(spec.defaultValue);
  const picklist = spec.picklist?.map((v) => ({ value: v, default: defaultValue === v }));
  return field(name, type, {
    ...common,
    ...(lengths[type] !== undefined ? { length: spec.length ?? lengths[type] } : {}),
    ...(numeric ? { precision, scale } : {}),
    ...(type === 'int' ? { digits: spec.precision ?? 18 } : {}),
    ...(picklist ? { picklist, restrictedPicklist: spec.restricted ?? false } : {}),
    defaultValue: picklist ? null : defaultValue,
  });
}

function linkChildRelationships(objects: ObjectDef[]): void {
  const byName = new Map(objects.map((o) => [o.name, o]));
  for (const o of objects) o.childRelationships = [];
  for (const child of objects) {
    for (const f of child.fields) {
      if (f.type !== 'reference') continue;
      for (const target of f.referenceTo) {
        const parent = byName.get(target);
        if (!parent) continue;
        if (
          f.childRelationshipName &&
          parent.childRelationships.some((c) => c.relationshipName === f.childRelationshipName)
        )
          throw new CustomSchemaError(
            `schema: object ${child.name}, field ${child.name}.${f.name}: child relationship ${f.childRelationshipName} already exists on ${parent.name}; set "childRelationshipName"`,
          );
        parent.childRelationships.push({
          childSObject: child.name,
          field: f.name,
          relationshipName: f.childRelationshipName,
          cascadeDelete: f.cascadeDelete,
          restrictedDelete: false,
        });
      }
    }
  }
  for (const o of objects)
    o.childRelationships.sort(
      (a, b) => a.childSObject.localeCompare(b.childSObject) || a.field.localeCompare(b.field),
    );
}
