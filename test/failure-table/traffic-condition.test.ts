// The scenario files' `traffic` condition: how it parses and what it rejects (docs/scenarios.md).
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../src/scenario/parse-condition.ts';
import { describeCondition } from '../../src/scenario/evaluate.ts';

describe('traffic condition', () => {
  it('parses with defaults and describes itself', () => {
    const c = parseCondition({ traffic: { from: 'node-1', to: 'web:80' } }, 'steps[3].expect');
    expect(c).toEqual({ kind: 'traffic', query: { from: 'node-1', to: 'web:80', requests: 20, ok: true } });
    expect(describeCondition(c)).toBe('traffic from a pod on node-1 to web:80: 20 requests all reach a ready pod');
    const failing = parseCondition({ traffic: { from: 'node-1', to: 'web:80', ok: false, error: 'i/o timeout', requests: 5 } }, 'x');
    expect(describeCondition(failing)).toBe('traffic from a pod on node-1 to web:80: 5 requests all fail (i/o timeout)');
    const missing = parseCondition({ traffic: { from: 'node-1', to: 'web:80', ok: false, selector: 'color=green' } }, 'x');
    expect(describeCondition(missing)).toBe('traffic from a pod on node-1 to web:80: 20 requests none reaches a ready color=green pod');
  });

  it('rejects what cannot be checked, naming the field', () => {
    expect(() => parseCondition({ traffic: { from: 'node-1', to: 'web' } }, 's')).toThrow(/s\.traffic\.to: needs a port, e\.g\. "web:80"/);
    expect(() => parseCondition({ traffic: { from: 'node-1', to: 'web:80', error: 'i/o timeout' } }, 's')).toThrow(/an expected error needs ok: false/);
    expect(() => parseCondition({ traffic: { from: 'node-1', to: 'web:80', ok: false, error: 'boom' } }, 's')).toThrow(/must be one of/);
    expect(() => parseCondition({ traffic: { to: 'web:80' } }, 's')).toThrow(/s\.traffic\.from/);
    expect(() => parseCondition({ traffic: { from: 'node-1', to: 'web:80', selector: 'a in (' } }, 's')).toThrow(/s\.traffic\.selector: not a label selector/);
    expect(() => parseCondition({ traffic: { from: 'node-1', to: 'web:80', via: 'x' } }, 's')).toThrow(/via/);
  });
});
