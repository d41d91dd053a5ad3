import type { PGlite } from '@electric-sql/pglite';
import {
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from 'kysely';

type Command = PostgresQueryResult<unknown>['command'];

function commandOf(sql: string): Command {
  const word = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|merge|select)\b/i
    .exec(sql)?.[1]
    ?.toUpperCase();
  return (word as Command | undefined) ?? 'SELECT';
}

/**
 * Kysely's PostgreSQL dialect over PGlite. PGlite is a single connection, so the "pool" hands out
 * one client at a time: a transaction holds it until it commits, and other queries wait their
 * turn instead of interleaving with it.
 */
export function pgliteDialect(pg: PGlite): PostgresDialect {
  let queue: Promise<void> = Promise.resolve();
  const pool: PostgresPool = {
    async connect(): Promise<PostgresPoolClient> {
      let release!: () => void;
      const turn = new Promise<void>((r) => (release = r));
      const previous = queue;
      queue = previous.then(() => turn);
      await previous;
      const client = {
        async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
          const result = await pg.query<R>(sql, [...parameters]);
          return {
            command: commandOf(sql),
            rowCount: result.affectedRows ?? result.rows.length,
            rows: result.rows,
          };
        },
        release,
      };
      return client as PostgresPoolClient;
    },
    async end() {},
  };
  return new PostgresDialect({ pool });
}
