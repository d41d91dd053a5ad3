import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Thrown when a --state file exists but cannot be read back. */
export class StateFileError extends Error {
  override name = 'StateFileError';
}

/** Reads a state snapshot, or null when the file does not exist yet. */
export async function loadState<T>(file: string, check: (raw: unknown) => T): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StateFileError(`cannot read state file ${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StateFileError(`state file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return check(raw);
  } catch (e) {
    throw new StateFileError(
      `state file ${file} does not hold this emulator's state: ${(e as Error).message}`,
    );
  }
}

/** Writes a snapshot atomically (temp file + rename), so a crash never leaves half a file. */
export async function saveState(file: string, state: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, file);
}
