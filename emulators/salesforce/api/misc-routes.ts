import type { ApiRequest, ApiResponse, Route, Services } from './types.ts';

/** The version root (resource list) and /limits. */

export function miscRoutes(svc: Services): Route[] {
  const resources = (req: ApiRequest): ApiResponse => {
    const base = `/services/data/v${req.version}`;
    const org = svc.org;
    return {
      status: 200,
      body: {
        tooling: `${base}/tooling`,
        metadata: `${base}/metadata`,
        eclair: `${base}/eclair`,
        folders: `${base}/folders`,
        prechatForms: `${base}/prechatForms`,
        connect: `${base}/connect`,
        chatter: `${base}/chatter`,
        tabs: `${base}/tabs`,
        appMenu: `${base}/appMenu`,
        quickActions: `${base}/quickActions`,
        queryAll: `${base}/queryAll`,
        commerce: `${base}/commerce`,
        wave: `${base}/wave`,
        iot: `${base}/iot`,
        analytics: `${base}/analytics`,
        search: `${base}/search`,
        identity: `${svc.baseUrl()}/id/${org.orgId}/${req.session.userId}`,
        composite: `${base}/composite`,
        parameterizedSearch: `${base}/parameterizedSearch`,
        fingerprint: `${base}/fingerprint`,
        theme: `${base}/theme`,
        nouns: `${base}/nouns`,
        event: `${base}/event`,
        serviceTemplates: `${base}/serviceTemplates`,
        recent: `${base}/recent`,
        licensing: `${base}/licensing`,
        limits: `${base}/limits`,
        process: `${base}/process`,
        dedupe: `${base}/dedupe`,
        async: `${base}/async-queries`,
        query: `${base}/query`,
        jobs: `${base}/jobs`,
        sobjects: `${base}/sobjects`,
        actions: `${base}/actions`,
        support: `${base}/support`,
      },
    };
  };
  const limits = (): ApiResponse => {
    const max = svc.usage.max;
    const used = svc.usage.used();
    const pair = (m: number, r = m) => ({ Max: m, Remaining: r });
    return {
      status: 200,
      body: {
        ConcurrentAsyncGetReportInstances: pair(200),
        ConcurrentSyncReportRuns: pair(20),
        DailyApiRequests: pair(max, Math.max(0, max - used)),
        DailyAsyncApexExecutions: pair(250000),
        DailyBulkApiBatches: pair(15000),
        DailyBulkV2QueryFileStorageMB: pair(976562),
        DailyBulkV2QueryJobs: pair(10000),
        DailyDurableStreamingApiEvents: pair(10000),
        DailyGenericStreamingApiEvents: pair(10000),
        DailyStreamingApiEvents: pair(10000),
        DailyWorkflowEmails: pair(2000),
        DataStorageMB: pair(1024, Math.max(0, 1024 - Math.ceil((countRecords(svc) * 2) / 1024))),
        FileStorageMB: pair(20),
        HourlyAsyncReportRuns: pair(1200),
        HourlyDashboardRefreshes: pair(200),
        HourlyODataCallout: pair(10000),
        HourlySyncReportRuns: pair(500),
        MassEmail: pair(10),
        SingleEmail: pair(15),
      },
    };
  };
  return [
    { template: '', handlers: { GET: resources } },
    { template: 'limits', handlers: { GET: limits } },
  ];
}

function countRecords(svc: Services): number {
  let n = 0;
  for (const t of svc.org.tables.values()) n += t.liveCount;
  return n;
}
