import { describe, expect, it } from 'vitest';
import { goDuration, goList, humanDuration, microTime, parseTimestamp, rfc3339 } from '../../src/kubelet/format.ts';

describe('Go formatting', () => {
  it('prints durations like time.Duration.String()', () => {
    const cases: [number, string][] = [
      [0, '0s'], [0.0005, '500ns'], [0.25, '250µs'], [1.5, '1.5ms'], [500, '500ms'], [2100, '2.1s'], [1911, '1.911s'],
      [10_000, '10s'], [80_000, '1m20s'], [160_000, '2m40s'], [300_000, '5m0s'], [3_600_000, '1h0m0s'], [3_723_500, '1h2m3.5s'],
    ];
    for (const [ms, text] of cases) expect(goDuration(ms)).toBe(text);
  });

  it('prints ages like duration.HumanDuration', () => {
    const cases: [number, string][] = [
      [-1500, '0s'], [-2500, '<invalid>'], [0, '0s'], [59_999, '59s'], [119_000, '119s'], [120_000, '2m'], [200_000, '3m20s'],
      [600_000, '10m'], [3 * 3600_000, '3h'], [3 * 3600_000 + 60_000, '3h1m'], [30 * 3600_000, '30h'], [50 * 3600_000, '2d2h'],
      [10 * 86_400_000, '10d'], [800 * 86_400_000, '2y70d'], [9 * 365 * 86_400_000, '9y'],
    ];
    for (const [ms, text] of cases) expect(humanDuration(ms)).toBe(text);
  });

  it('serializes metav1.Time to whole seconds and MicroTime to six digits, and parses both back', () => {
    expect(rfc3339(0)).toBe('2024-04-17T00:00:00Z');
    expect(rfc3339(61_999)).toBe('2024-04-17T00:01:01Z');
    expect(microTime(5_250.5)).toBe('2024-04-17T00:00:05.250500Z');
    expect(parseTimestamp(rfc3339(61_999))).toBe(61_000);
    expect(parseTimestamp(microTime(5_250.5))).toBe(5_250.5);
  });

  it("prints a []string as fmt's %s does", () => {
    expect(goList(['app', 'sidecar'])).toBe('[app sidecar]');
  });
});
