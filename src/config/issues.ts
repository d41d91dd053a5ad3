import type { SourceLoc } from './types.ts';

/** One problem with the configuration, located as precisely as known. */
export interface ConfigIssue {
  file: string;
  line?: number;
  column?: number;
  flow?: string;
  field?: string;
  message: string;
}

/** `file:line:col: flow 'x', field 'y': message`. */
export function formatIssue(issue: ConfigIssue): string {
  let where = issue.file;
  if (issue.line !== undefined)
    where += `:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}`;
  const context = [
    issue.flow !== undefined ? `flow '${issue.flow}'` : '',
    issue.field !== undefined ? `field '${issue.field}'` : '',
  ].filter(Boolean);
  return `${where}: ${context.length ? `${context.join(', ')}: ` : ''}${issue.message}`;
}

/** The configuration cannot be used; `issues` holds every problem found, not just the first. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** Collects issues with a shared context, then throws them all at once. */
export class IssueList {
  readonly items: ConfigIssue[] = [];

  constructor(private readonly file: string) {}

  /** Records a problem at `loc` (or at the file when unknown). */
  add(message: string, loc: SourceLoc | undefined, context: { flow?: string; field?: string } = {}): void {
    const issue: ConfigIssue = { file: loc?.file ?? this.file, message };
    if (loc) {
      issue.line = loc.line;
      issue.column = loc.column;
    }
    if (context.flow !== undefined) issue.flow = context.flow;
    if (context.field !== undefined) issue.field = context.field;
    this.items.push(issue);
  }

  /** Throws a ConfigError when anything was recorded. */
  throwIfAny(): void {
    if (this.items.length) throw new ConfigError(sortIssues(this.items));
  }
}

/** Issues in reading order: files in the order they were first mentioned, then line, then column. */
export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const order = new Map<string, number>();
  for (const i of issues) if (!order.has(i.file)) order.set(i.file, order.size);
  return [...issues].sort(
    (a, b) =>
      order.get(a.file)! - order.get(b.file)! ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}
