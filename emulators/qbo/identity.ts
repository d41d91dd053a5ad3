import { hashString, Rng } from '../kit/rng.ts';

/**
 * Stable identities derived from the seed: company ids that look like Intuit's (16 digits,
 * sandbox-style 9341… prefix), the app's OAuth client id and secret, the webhook verifier
 * token. The same --seed gives the same ids, so a demo's configuration survives a restart.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function chars(rng: Rng, n: number, alphabet = ALNUM): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rng.next() * alphabet.length)];
  return s;
}

/** The realm id of the k-th company (0-based). */
export function realmIdFor(seed: number | string, k: number): string {
  const a = hashString(`${seed}:realm:${k}`) % 1_000_000;
  const b = hashString(`${seed}:realm:${k}:b`) % 1_000_000;
  return `9341${String(a).padStart(6, '0')}${String(b).padStart(6, '0')}`;
}

/** The seed a company's data is generated from: the first uses the universe seed itself. */
export function companySeed(seed: number | string, k: number): number | string {
  return k === 0 ? seed : `${seed}:realm${k + 1}`;
}

/** OAuth client credentials and webhook verifier token for a seed. */
export function appIdentity(seed: number | string): {
  clientId: string;
  clientSecret: string;
  verifierToken: string;
  appId: string;
} {
  const rng = new Rng(`${seed}:qbo-app`);
  const hex = '0123456789abcdef';
  const v = chars(rng, 32, hex);
  return {
    clientId: `AB${chars(rng, 48)}`,
    clientSecret: chars(rng, 40),
    verifierToken: `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20)}`,
    appId: chars(rng, 43),
  };
}
