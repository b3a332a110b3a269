// `kubectl get events --watch` as text: LAST SEEN, TYPE, REASON, OBJECT, FROM, MESSAGE. FROM is the
// reporting component, with the node for node-local ones (`kubelet/node-2`), as `kubectl describe`'s From.
// Columns have fixed minimum widths and grow when a value is longer (the stream is printed as it comes).
// A repeated event (count > 1) is printed again with `(xN over <age>)`, as kubectl does.
import type { Event } from 'kubernetes-types/core/v1.js';
import { humanDuration, parseTimestamp } from '../kubelet/format.ts';

const HEADERS = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'FROM', 'MESSAGE'] as const;
const MIN_WIDTHS = [9, 7, 16, 30, 22];
const GAP = '   ';

/** `kubelet/node-2`, `default-scheduler`, `deployment-controller`. */
export function eventSource(event: Event): string {
  const component = event.source?.component || event.reportingComponent || '';
  const host = event.source?.host;
  if (component && host) return `${component}/${host}`;
  return component || event.reportingInstance || '';
}

/** `pod/web-7d4b8c6f5-abc12`, `deployment/web`: the involved object as kubectl's OBJECT column. */
export function eventObject(event: Event): string {
  const o = event.involvedObject;
  return `${(o.kind ?? '').toLowerCase()}/${o.name ?? ''}`;
}

function age(stamp: string | undefined, now: number): string | undefined {
  if (!stamp) return undefined;
  try {
    return humanDuration(now - parseTimestamp(stamp));
  } catch {
    return undefined;
  }
}

/** kubectl's LAST SEEN: the age of the last occurrence, and `(x4 over 2m)` when the event repeated. */
export function lastSeen(event: Event, now: number): string {
  const last = age(event.series?.lastObservedTime ?? event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp, now) ?? '<unknown>';
  const count = event.series?.count ?? event.count ?? 1;
  if (count <= 1) return last;
  const first = age(event.firstTimestamp ?? event.eventTime, now) ?? '<unknown>';
  return `${last} (x${count} over ${first})`;
}

export class EventPrinter {
  private readonly widths = [...MIN_WIDTHS];

  constructor(private readonly write: (line: string) => void) {}

  header(): void {
    this.write(this.row([...HEADERS]));
  }

  /** One event as it arrives, at virtual time `now`. */
  print(event: Event, now: number): void {
    this.write(this.row([lastSeen(event, now), event.type ?? '', event.reason ?? '', eventObject(event), eventSource(event), event.message ?? '']));
  }

  private row(cells: string[]): string {
    return cells
      .map((cell, i) => {
        if (i === cells.length - 1) return cell;
        this.widths[i] = Math.max(this.widths[i], cell.length);
        return cell.padEnd(this.widths[i]);
      })
      .join(GAP)
      .trimEnd();
  }
}
