import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { toMermaid } from '../../src/review/mermaid.ts';
import { deviceMachine, fetchMachine } from './fixtures/charts.ts';

describe('Mermaid charts', () => {
  it('draws nested and parallel states, timers by delay name, guards and always', () => {
    expect(toMermaid(deviceMachine)).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> idle',
        '  idle',
        '  state running {',
        '    state network {',
        '      [*] --> connecting',
        '      connecting',
        '      connected',
        '      failed',
        '      connecting --> failed : after(500)',
        '      connecting --> connected : after(retryDelay)',
        '      failed --> connecting : always',
        '    }',
        '    --',
        '    state disk {',
        '      [*] --> running_disk_idle',
        '      state "idle" as running_disk_idle',
        '      syncing',
        '      running_disk_idle --> syncing : tick',
        '      syncing --> running_disk_idle : after(50)',
        '    }',
        '  }',
        '  done',
        '  idle --> running : start [isReady]',
        '  running --> done : stop',
        '  done --> [*]',
        '',
      ].join('\n'),
    );
  });

  it('draws the machine itself as a state when it has transitions of its own', () => {
    const machine = setup({ guards: { isOpen: () => true } }).createMachine({
      id: 'door',
      initial: 'open',
      on: { reset: { target: '.open', guard: 'isOpen' } },
      states: { open: { on: { close: 'closed' } }, closed: {} },
    });
    expect(toMermaid(machine)).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> door',
        '  state door {',
        '    [*] --> open',
        '    open',
        '    closed',
        '    open --> closed : close',
        '  }',
        '  door --> open : reset [isOpen]',
        '',
      ].join('\n'),
    );
  });

  it('labels invocation outcomes with the invoke id', () => {
    expect(toMermaid(fetchMachine).split('\n').filter((line) => line.includes('-->'))).toEqual([
      '  [*] --> loading',
      '  loading --> done : done(fetch)',
      '  loading --> loading : error(fetch) [isRetryable]',
      '  loading --> failed : error(fetch)',
      '  done --> [*]',
    ]);
  });
});
