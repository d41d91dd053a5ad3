import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/** Thrown when another run holds the lease (the same flow is already syncing somewhere). */
export class LeaseHeldError extends Error {
  override name = 'LeaseHeldError';
  constructor(
    readonly lease: string,
    readonly owner: string,
    readonly expiresAt: Date,
  ) {
    super(
      `${lease} is already running (${owner}, lease until ${expiresAt.toISOString()}); try again when it has finished`,
    );
  }
}

/** Takes a named lease for `seconds`, or throws LeaseHeldError naming who holds it. */
export async function acquireLease(
  db: Kysely<Schema>,
  name: string,
  owner: string,
  seconds: number,
): Promise<void> {
  const taken = await db
    .insertInto('leases')
    .values({ name, owner, expires_at: sql<Date>`now() + make_interval(secs => ${seconds})` })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ owner, expires_at: sql<Date>`now() + make_interval(secs => ${seconds})` })
        .where((eb) =>
          eb.or([eb('leases.expires_at', '<', sql<Date>`now()`), eb('leases.owner', '=', owner)]),
        ),
    )
    .returning('owner')
    .executeTakeFirst();
  if (taken?.owner === owner) return;
  const holder = await db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
  throw new LeaseHeldError(name, holder?.owner ?? 'unknown', holder?.expires_at ?? new Date());
}

/** Extends a lease we hold; returns false if it was lost (expired and taken by someone else). */
export async function renewLease(
  db: Kysely<Schema>,
  name: string,
  owner: string,
  seconds: number,
): Promise<boolean> {
  const r = await db
    .updateTable('leases')
    .set({ expires_at: sql<Date>`now() + make_interval(secs => ${seconds})` })
    .where('name', '=', name)
    .where('owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Gives a lease back. */
export async function releaseLease(db: Kysely<Schema>, name: string, owner: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
}
