import { systemFault, unsupportedOperation } from '../errors.ts';
import { entityByName, type EntityDef } from '../schema.ts';
import type { Company } from '../store/company.ts';
import { recordJson } from '../store/table.ts';
import { formatDateTime, parseDateTime } from '../time.ts';

/** How far back CDC may look, and how many objects one response carries. */
export const CDC_LOOKBACK_MS = 30 * 24 * 3_600_000;
export const CDC_MAX_OBJECTS = 1000;

interface Change {
  def: EntityDef;
  at: number;
  json: string;
}

/**
 * `GET /cdc?entities=…&changedSince=…`: everything of the named types changed (created, updated,
 * deactivated, voided) or deleted since the instant, oldest first, at most 1,000 objects in all
 * (QuickBooks has no paging here: a client narrows the window, and taking the oldest first lets it
 * continue from the last LastUpdatedTime it saw). Deleted objects carry only Id, status, MetaData.
 * Faults on missing/invalid parameters are SystemFaults answered with HTTP 200, as recorded.
 */
export function runCdc(
  co: Company,
  entitiesParam: string | undefined,
  changedSince: string | undefined,
): string {
  if (!entitiesParam || entitiesParam.trim() === '') {
    throw systemFault('java.lang.IllegalArgumentException: entities is required', 200);
  }
  if (!changedSince || changedSince.trim() === '') {
    throw systemFault('java.lang.IllegalArgumentException: changedSince is required', 200);
  }
  const defs: EntityDef[] = [];
  for (const raw of entitiesParam.split(',')) {
    const name = raw.trim();
    const def = entityByName(name);
    if (!def || !def.cdc) {
      throw systemFault(`java.lang.IllegalArgumentException: Invalid entity supplied : entity=${name}`, 200);
    }
    if (!defs.includes(def)) defs.push(def);
  }
  const since = parseDateTime(changedSince);
  if (Number.isNaN(since)) {
    throw systemFault(`java.lang.IllegalArgumentException: Invalid changedSince : ${changedSince}`, 200);
  }
  if (co.now() - since > CDC_LOOKBACK_MS) {
    throw unsupportedOperation(
      `Operation cdc with changedSince date ${changedSince} which is older than fixed days is not supported.`,
    );
  }
  // LastUpdatedTime has second precision: compare by the second, so that a change in the same
  // second as changedSince is reported (a client may see it twice, never miss it)
  const sinceSecond = Math.floor(since / 1000);
  const changes: Change[] = [];
  for (const def of defs) {
    const table = co.table(def.name);
    const recent = [];
    // last-update order ends with the newest: walk back only as far as the window reaches
    const all = [...table.inUpdateOrder()];
    for (let i = all.length - 1; i >= 0 && all[i]!.updated >= sinceSecond; i--) recent.push(all[i]!);
    // oldest first; within one second, in the order the changes happened
    for (const rec of recent.reverse()) changes.push({ def, at: rec.updated * 1000, json: recordJson(rec) });
    for (const [id, at] of table.tombstones) {
      if (at < sinceSecond * 1000) continue;
      const stub = {
        domain: 'QBO',
        status: 'Deleted',
        Id: id,
        MetaData: { LastUpdatedTime: formatDateTime(at) },
      };
      changes.push({ def, at, json: JSON.stringify(stub) });
    }
  }
  changes.sort((a, b) => a.at - b.at);
  const kept = changes.slice(0, CDC_MAX_OBJECTS);
  const responses = defs.map((def) => {
    const rows = kept.filter((c) => c.def === def).map((c) => c.json);
    if (rows.length === 0) return '{}';
    return `{"${def.name}":[${rows.join(',')}],"startPosition":1,"maxResults":${rows.length}}`;
  });
  return `[{"QueryResponse":[${responses.join(',')}]}]`;
}
