import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../emulators/salesforce/', import.meta.url));
// Copied from the reference material (the SOAP WSDLs' enums) so the test runs in a bare clone.
const reference = fileURLToPath(new URL('./fixtures/error-codes/', import.meta.url));
// REST-only codes the enums (extracted from the SOAP WSDLs) do not list.
const REST_ONLY = new Set(['NOT_FOUND', 'METHOD_NOT_ALLOWED']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error codes', () => {
  it('uses only codes of the real StatusCode/ExceptionCode enums (plus REST-only ones)', () => {
    const known = new Set(
      ['StatusCode-enum.txt', 'ExceptionCode-enum.txt'].flatMap((f) =>
        readFileSync(join(reference, f), 'utf8')
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    );
    const used = new Set<string>();
    const patterns = [
      /errorCode: '([A-Z_]+)'/g,
      /statusCode: '([A-Z_]+)'/g,
      /SfError\(\s*\d+,\s*'([A-Z_]+)'/g,
      /SoqlError\(\s*'([A-Z_]+)'/g,
      /fault\('([A-Z_]{4,})'/g,
      /soapFault\('([A-Z_]+)'/g,
    ];
    for (const f of files(root)) {
      const text = readFileSync(f, 'utf8');
      for (const re of patterns) for (const m of text.matchAll(re)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(25);
    const unknown = [...used].filter((c) => !known.has(c) && !REST_ONLY.has(c));
    expect(unknown).toEqual([]);
  });
});
