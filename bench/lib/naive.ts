import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { LoggedWrite } from './counting-ports.ts';
import type { EmulatorProcess } from './emulator-process.ts';

/**
 * "The naive way": what a per-record automation does — one API call per record written, one
 * after another. Replays a phase's logged writes (the same records, the same values) against a
 * fresh pair of emulators seeded like the benchmark's. Past `maxWrites`, a stratified sample of
 * each kind of write is sent and the rest is extrapolated from its measured mean (reported so).
 */
export interface NaiveFigures {
  writes: number;
  /** One call per record write. */
  calls: number;
  /** Writes actually sent. */
  measured: number;
  /** Calls the services refused (counted in calls and time all the same). */
  refused: number;
  /** Time of the measured calls, scaled up to all writes when sampled. */
  ms: number;
  extrapolated: boolean;
  /** The first refusals, to see why. */
  refusedSample: string[];
  /** QuickBooks calls among them (for the floor QuickBooks' 500-per-minute limit sets). */
  qbCalls: number;
}

async function readLog(file: string): Promise<LoggedWrite[]> {
  const out: LoggedWrite[] = [];
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) out.push(JSON.parse(line) as LoggedWrite);
  return out;
}

function group(w: LoggedWrite): string {
  if (w.sys === 'qb') return `qb ${w.item.operation} ${w.item.entity}`;
  if (w.op === 'destroy') return 'sf destroy';
  return `sf ${w.op} ${w.object}`;
}

export async function naiveReplay(
  file: string,
  sf: EmulatorProcess,
  qb: EmulatorProcess,
  maxWrites: number,
): Promise<NaiveFigures> {
  const all = await readLog(file);
  const groups = new Map<string, LoggedWrite[]>();
  for (const w of all) {
    const g = group(w);
    const list = groups.get(g) ?? [];
    list.push(w);
    groups.set(g, list);
  }
  const sampled = all.length > maxWrites;
  const apiVersion = String(sf.info.apiVersion ?? '62.0');
  const sfBase = `${sf.url}/services/data/v${apiVersion}`;
  const sfHeaders = { authorization: `Bearer ${sf.info.accessToken}`, 'content-type': 'application/json' };
  const realm = String(qb.info.realmId);
  const qbBase = `${qb.url}/v3/company/${realm}`;
  const qbHeaders = {
    authorization: `Bearer ${qb.info.accessToken}`,
    accept: 'application/json',
    'content-type': 'application/json',
  };
  // Salesforce ids ledgerbridge got → ids the replay got (records created by the replay).
  const ids = new Map<string, string>();
  const mapIds = (rec: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(rec).map(([k, v]) => [k, typeof v === 'string' && ids.has(v) ? ids.get(v)! : v]),
    );

  let refused = 0;
  const refusedSample: string[] = [];
  let measured = 0;
  let ms = 0;
  let qbCalls = 0;
  const send = async (w: LoggedWrite): Promise<number> => {
    let url: string;
    let init: RequestInit;
    if (w.sys === 'qb') {
      const body = { ...w.item.body };
      if (w.item.operation === 'update' && body.Id) {
        // The automation's record is the one in this (fresh) company: its SyncToken, read untimed.
        const cur = await fetch(`${qbBase}/${w.item.entity.toLowerCase()}/${String(body.Id)}`, {
          headers: qbHeaders,
        });
        if (cur.ok) {
          const j = (await cur.json()) as Record<string, { SyncToken?: string }>;
          const token = j[w.item.entity]?.SyncToken;
          if (token !== undefined) body.SyncToken = token;
        }
      }
      url = `${qbBase}/${w.item.entity.toLowerCase()}${w.item.operation === 'delete' ? '?operation=delete' : ''}`;
      init = { method: 'POST', headers: qbHeaders, body: JSON.stringify(body) };
    } else if (w.op === 'upsert') {
      const rec = mapIds(w.record);
      const value = String(rec[w.ext] ?? '');
      delete rec[w.ext];
      url = `${sfBase}/sobjects/${w.object}/${w.ext}/${encodeURIComponent(value)}`;
      init = { method: 'PATCH', headers: sfHeaders, body: JSON.stringify(rec) };
    } else if (w.op === 'update') {
      const rec = mapIds(w.record);
      const id = String(rec.Id);
      delete rec.Id;
      url = `${sfBase}/sobjects/${w.object}/${id}`;
      init = { method: 'PATCH', headers: sfHeaders, body: JSON.stringify(rec) };
    } else {
      url = `${sfBase}/sobjects/Account/${ids.get(w.id) ?? w.id}`;
      init = { method: 'DELETE', headers: sfHeaders };
    }
    const t0 = performance.now();
    const r = await fetch(url, init);
    const text = await r.text();
    const took = performance.now() - t0;
    if (w.sys === 'qb') qbCalls++;
    if (!r.ok) {
      refused++;
      if (refusedSample.length < 3) refusedSample.push(`${group(w)}: ${r.status} ${text.slice(0, 200)}`);
    } else if (w.sys === 'sf' && w.op === 'upsert' && w.id && text) {
      const id = (JSON.parse(text) as { id?: string }).id;
      if (id) ids.set(w.id, id);
    }
    measured++;
    return took;
  };

  let totalMs = 0;
  for (const [, list] of groups) {
    const take = sampled ? Math.max(1, Math.ceil((maxWrites * list.length) / all.length)) : list.length;
    let groupMs = 0;
    let n = 0;
    for (const w of list.slice(0, take)) {
      groupMs += await send(w);
      n++;
    }
    ms += groupMs;
    totalMs += n > 0 ? (groupMs / n) * list.length : 0;
  }
  const qbWrites = all.filter((w) => w.sys === 'qb').length;
  return {
    writes: all.length,
    calls: all.length,
    measured,
    refused: sampled ? Math.round((refused * all.length) / Math.max(1, measured)) : refused,
    ms: sampled ? totalMs : ms,
    extrapolated: sampled,
    refusedSample,
    qbCalls: sampled ? qbWrites : qbCalls,
  };
}
