/**
 * `/metrics`: the front door's request figures in Prometheus text format (0.0.4), named and labelled as
 * kube-apiserver's: `apiserver_request_total` (by verb, group, version, resource, subresource, scope,
 * component, code), `apiserver_request_duration_seconds` (the same without code, upstream's buckets),
 * `apiserver_current_inflight_requests` and `apiserver_longrunning_requests`. Other components' figures
 * are appended by whoever hosts the cluster (`extraMetrics`).
 */

export interface RequestLabels {
  /** GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE, DELETECOLLECTION. */
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** resource (named object), namespace, cluster. */
  scope: string;
  dryRun: boolean;
}

const BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

interface Histogram {
  labels: string;
  counts: number[];
  sum: number;
  count: number;
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${k}="${escape(v)}"`).join(',');
}

function baseLabels(l: RequestLabels): [string, string][] {
  return [
    ['component', 'apiserver'], ['dry_run', l.dryRun ? 'All' : ''], ['group', l.group], ['resource', l.resource],
    ['scope', l.scope], ['subresource', l.subresource], ['verb', l.verb], ['version', l.version],
  ];
}

export class FrontDoorMetrics {
  private readonly totals = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private inflightReadOnly = 0;
  private inflightMutating = 0;
  private longRunning = 0;

  /** Counts a finished request (a watch when it opens) and its latency. */
  observe(labels: RequestLabels, code: number, seconds: number): void {
    const base = baseLabels(labels);
    const totalKey = labelText([['code', String(code)], ...base]);
    this.totals.set(totalKey, (this.totals.get(totalKey) ?? 0) + 1);
    const durationKey = labelText(base);
    let h = this.durations.get(durationKey);
    if (!h) this.durations.set(durationKey, (h = { labels: durationKey, counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }

  /** Marks a request in flight; call the returned function when it ends. */
  begin(mutating: boolean): () => void {
    if (mutating) this.inflightMutating++;
    else this.inflightReadOnly++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (mutating) this.inflightMutating--;
      else this.inflightReadOnly--;
    };
  }

  /** Marks a watch stream open; call the returned function when it closes. */
  beginLongRunning(): () => void {
    this.longRunning++;
    let ended = false;
    return () => {
      if (!ended) this.longRunning--;
      ended = true;
    };
  }

  /** The total for one label set (tests). */
  count(labels: RequestLabels, code: number): number {
    return this.totals.get(labelText([['code', String(code)], ...baseLabels(labels)])) ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    lines.push(
      '# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      '# TYPE apiserver_request_total counter',
    );
    for (const [labels, value] of [...this.totals].sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(`apiserver_request_total{${labels}} ${value}`);
    lines.push(
      '# HELP apiserver_request_duration_seconds [STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      '# TYPE apiserver_request_duration_seconds histogram',
    );
    for (const h of [...this.durations.values()].sort((a, b) => (a.labels < b.labels ? -1 : 1))) {
      BUCKETS.forEach((le, i) => lines.push(`apiserver_request_duration_seconds_bucket{${h.labels},le="${le}"} ${h.counts[i]}`));
      lines.push(`apiserver_request_duration_seconds_bucket{${h.labels},le="+Inf"} ${h.count}`);
      lines.push(`apiserver_request_duration_seconds_sum{${h.labels}} ${h.sum}`);
      lines.push(`apiserver_request_duration_seconds_count{${h.labels}} ${h.count}`);
    }
    lines.push(
      '# HELP apiserver_current_inflight_requests [STABLE] Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
      '# TYPE apiserver_current_inflight_requests gauge',
      `apiserver_current_inflight_requests{request_kind="mutating"} ${this.inflightMutating}`,
      `apiserver_current_inflight_requests{request_kind="readOnly"} ${this.inflightReadOnly}`,
      '# HELP apiserver_longrunning_requests [STABLE] Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
      '# TYPE apiserver_longrunning_requests gauge',
      `apiserver_longrunning_requests{component="apiserver",verb="WATCH"} ${this.longRunning}`,
    );
    return `${lines.join('\n')}\n`;
  }
}
