import type { Direction, OneWay } from './types.ts';

/** The one-way directions a direction stands for. */
export function oneWays(d: Direction): OneWay[] {
  return d === 'both' ? ['sf->qb', 'qb->sf'] : [d];
}

/** The direction made of these one-way directions, or null for none. */
export function fromOneWays(list: readonly OneWay[]): Direction | null {
  const toQb = list.includes('sf->qb');
  const toSf = list.includes('qb->sf');
  return toQb && toSf ? 'both' : toQb ? 'sf->qb' : toSf ? 'qb->sf' : null;
}

/** Whether `d` includes the one-way direction `w`. */
export function flows(d: Direction, w: OneWay): boolean {
  return d === 'both' || d === w;
}
