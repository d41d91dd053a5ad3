/** What a run reports as it goes, for progress bars and logs. */
export type ProgressEvent =
  | {
      type: 'phase';
      flow: string;
      phase: 'recover' | 'read' | 'match' | 'plan' | 'write' | 'commit' | 'done';
      detail?: string;
    }
  | { type: 'read'; flow: string; side: 'sf' | 'qb'; records: number }
  | { type: 'write'; flow: string; done: number; total: number }
  | { type: 'notice'; flow: string; message: string };

/** Receives progress events; the default ignores them. */
export type ProgressListener = (event: ProgressEvent) => void;
