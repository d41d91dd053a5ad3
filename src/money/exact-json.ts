/**
 * What every reader and writer of exact JSON numbers shares (the connectors, the journal, request
 * bodies): Node 22's JSON.rawJSON and reviver source text, which TypeScript's lib does not type yet.
 */

/** A JSON.parse reviver that also receives each primitive's source text. */
export type SourceReviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

/** A value JSON.stringify writes as exactly this text (a number token, never through a float). */
export const rawJSON: (text: string) => unknown = (JSON as unknown as { rawJSON(text: string): unknown })
  .rawJSON;

/** A valid JSON number token. */
export const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;

/** JSON.parse with a reviver that sees numbers' source text. */
export function parseWithSource(text: string, reviver: SourceReviver): unknown {
  return JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]);
}
