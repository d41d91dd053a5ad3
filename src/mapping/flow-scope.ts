import { IssueList } from '../config/issues.ts';
import type { FlowConfig, SourceLoc } from '../config/types.ts';
import type { ObjectCatalog } from './catalog.ts';
import {
  compileExpression,
  ExpressionError,
  type CompiledExpression,
  type ExprValue,
  type FieldResolver,
} from './expressions/index.ts';
import type { FlowCatalogs } from './flow-types.ts';
import { readQb, readSf, toExprValue } from './records.ts';
import {
  exprTypeOf,
  resolveQb,
  resolveSf,
  type QbFieldRef,
  type Resolved,
  type SfFieldRef,
} from './resolve.ts';
import { didYouMean } from './suggest.ts';

/**
 * What compiling one flow shares: its catalogs resolved, the issues found so far, and expression
 * compilation against either side's fields (remembering which Salesforce fields must be read).
 */
export class FlowScope {
  readonly issues: IssueList;
  readonly main: ObjectCatalog;
  readonly qb: ObjectCatalog;
  /** Related record name → its object's catalog (only those that exist). */
  readonly related = new Map<string, ObjectCatalog>();
  /** Every Salesforce field some mapping or expression reads, by canonical path. */
  readonly sfReaders = new Map<string, SfFieldRef>();
  private readonly qbReaders = new Map<string, QbFieldRef>();
  private readonly sfResolver: FieldResolver;
  private readonly qbResolver: FieldResolver;

  /** Resolves the flow's objects; throws ConfigError when its main Salesforce object does not exist. */
  constructor(
    readonly flow: FlowConfig,
    private readonly catalogs: FlowCatalogs,
    file: string,
  ) {
    this.issues = new IssueList(file);
    const main = this.sfObject(flow.salesforce.object);
    if (!main)
      this.flowIssue(
        `Salesforce has no object ${flow.salesforce.object}${didYouMean(flow.salesforce.object, Object.keys(catalogs.sf))}`,
        'salesforce.object',
      );
    this.qb = catalogs.qb;
    if (this.qb.object !== flow.quickbooks.entity)
      this.flowIssue(
        `the QuickBooks catalog given is for ${this.qb.object}, not ${flow.quickbooks.entity}`,
        'quickbooks.entity',
      );
    if (!main) this.issues.throwIfAny();
    this.main = main!;
    for (const [name, rel] of Object.entries(flow.salesforce.related)) {
      const cat = this.sfObject(rel.object);
      if (cat) this.related.set(name, cat);
      else
        this.flowIssue(
          `Salesforce has no object ${rel.object}${didYouMean(rel.object, Object.keys(catalogs.sf))}`,
          `salesforce.related.${name}.object`,
        );
    }
    this.sfResolver = (path) => {
      const r = this.sfRef(path);
      if ('error' in r) return r;
      this.sfReaders.set(r.path, r);
      return { key: r.path, type: exprTypeOf(r.info) };
    };
    this.qbResolver = (path) => {
      const r = this.qbRef(path);
      if ('error' in r) return r;
      this.qbReaders.set(r.path, r);
      return { key: r.path, type: exprTypeOf(r.info) };
    };
  }

  /** A Salesforce object's catalog, by name in any case. */
  sfObject(name: string): ObjectCatalog | undefined {
    const lower = name.toLowerCase();
    return (
      this.catalogs.sf[name] ?? Object.values(this.catalogs.sf).find((c) => c.object.toLowerCase() === lower)
    );
  }

  /** Where a flow-level key is written (or the flow itself). */
  at(key: string): SourceLoc | undefined {
    return this.flow.loc?.keys[key] ?? this.flow.loc;
  }

  /** Records a problem with a flow-level key. */
  flowIssue(message: string, key: string): void {
    this.issues.add(message, this.at(key), { flow: this.flow.name });
  }

  /** Every QuickBooks path some expression reads, canonical (BillAddr.Line1). */
  qbReadPaths(): string[] {
    return [...this.qbReaders.keys()];
  }

  /** A Salesforce path of this flow (Name, contact.Email). */
  sfRef(path: string): Resolved<SfFieldRef> {
    return resolveSf(path, this.main, this.related);
  }

  /** A QuickBooks path of this flow (BillAddr.Line1). */
  qbRef(path: string): Resolved<QbFieldRef> {
    return resolveQb(path, this.qb);
  }

  /** Compiles an expression over one side's fields; problems are recorded at `loc`, null returned. */
  compileOn(
    side: 'sf' | 'qb',
    source: string,
    loc: SourceLoc | undefined,
    context: { field?: string } = {},
  ): CompiledExpression | null {
    try {
      return compileExpression(source, side === 'sf' ? this.sfResolver : this.qbResolver);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      for (const i of e.issues) this.issues.add(i.message, loc, { flow: this.flow.name, ...context });
      return null;
    }
  }

  /** A function evaluating a compiled expression over a record of that side. */
  evaluator(side: 'sf' | 'qb', expr: CompiledExpression): (record: Record<string, unknown>) => ExprValue {
    const readers = expr.fields.map((k) => (side === 'sf' ? this.sfReaders.get(k)! : this.qbReaders.get(k)!));
    const keys = expr.fields;
    return (record) => {
      const values = new Map<string, ExprValue>();
      readers.forEach((ref, i) => {
        const raw = ref.side === 'sf' ? readSf(record, ref) : readQb(record, ref.path);
        values.set(keys[i]!, toExprValue(raw, ref.info));
      });
      return expr.evaluate((k) => values.get(k) ?? null);
    };
  }
}
