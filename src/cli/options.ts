import { InvalidArgumentError } from 'commander';

/** Parses a whole number flag, naming the flag when it is not one. */
export function intOption(flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`${flag} takes a whole number, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max)
      throw new InvalidArgumentError(`${flag} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

/** Parses a port number flag (0 = any free port). */
export const portOption = (flag = '--port'): ((value: string) => number) => intOption(flag, 0, 65535);
