// Runs a scenario in virtual time: builds its cluster, starts it, then does each step — kubectl verbs
// through the apiserver, waits, faults, expectations — while the cluster's event watch prints every
// event as `kubectl get events --watch` would. Step lines start with the virtual time.
import { buildResolvedCluster } from '../cluster/build.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { describeApply } from '../cluster/kubectl/apply.ts';
import { resolveResource } from '../cluster/kubectl/resources.ts';
import { applyFault, type AppliedFault } from '../faults/apply.ts';
import type { Fault } from '../faults/schedule.ts';
import { ComponentFailure } from '../host/simulation.ts';
import { TraceRecorder } from '../trace/recorder.ts';
import { describeCondition, evaluate, type Verdict } from './evaluate.ts';
import { EventPrinter } from './event-printer.ts';
import { formatVirtualTime } from './duration.ts';
import type { Condition, FaultAction, Scenario, Step } from './format.ts';
import type { SimulationOptions } from '../host/simulation.ts';

export interface RunOptions {
  /** Overrides the scenario's seed (default 1). */
  seed?: number;
  /** End of the run in virtual ms: steps not reached by then are skipped; if the steps end sooner, run on to it. */
  untilMs?: number;
  /** Receives every output line (events and step lines). */
  write: (line: string) => void;
  /** Receives every JSONL trace line (src/trace), when given. */
  trace?: (line: string) => void;
  /** Print the event stream (default true). */
  events?: boolean;
  /** Connects the cluster's actors to an inspector (`kubesim run --inspect`). */
  inspect?: SimulationOptions['inspect'];
}

export interface StepFailure {
  step: string;
  message: string;
}

export interface RunOutcome {
  cluster: Cluster;
  failures: StepFailure[];
  stepsRun: number;
  expectationsPassed: number;
  /** Set when the run stopped early: the cluster did not start, or a component failed. */
  aborted?: string;
}

/** How often `wait: { for }` and `expect: { within }` look again (virtual ms). */
export const POLL_INTERVAL_MS = 250;

export function runScenario(scenario: Scenario, options: RunOptions): RunOutcome {
  const cluster = buildResolvedCluster(scenario.cluster, {
    seed: options.seed ?? scenario.seed ?? 1, ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  const recorder = options.trace ? new TraceRecorder(cluster.sim, { sink: options.trace, keep: false }) : undefined;
  const run = new ScenarioRun(scenario, cluster, options, recorder);
  try {
    run.execute();
  } finally {
    recorder?.stop();
  }
  return run.outcome();
}

class ScenarioRun {
  private readonly failures: StepFailure[] = [];
  private stepsRun = 0;
  private expectationsPassed = 0;
  private aborted: string | undefined;

  constructor(
    private readonly scenario: Scenario,
    private readonly cluster: Cluster,
    private readonly options: RunOptions,
    private readonly recorder: TraceRecorder | undefined,
  ) {}

  outcome(): RunOutcome {
    return {
      cluster: this.cluster, failures: this.failures, stepsRun: this.stepsRun, expectationsPassed: this.expectationsPassed,
      ...(this.aborted ? { aborted: this.aborted } : {}),
    };
  }

  private say(text: string): void {
    this.options.write(`[${formatVirtualTime(this.cluster.now).padStart(8)}] ${text}`);
  }

  execute(): void {
    const { cluster, scenario } = this;
    this.options.write(`scenario: ${scenario.name}${scenario.description ? ` — ${scenario.description.trim().split('\n')[0]}` : ''}`);
    if (this.options.events !== false) {
      const printer = new EventPrinter(this.options.write);
      printer.header();
      cluster.watchEvents((observed) => printer.print(observed.event, cluster.now));
    }
    try {
      cluster.start({ recordEvents: true });
    } catch (error) {
      if (!(error instanceof Error) || error instanceof TypeError) throw error;
      this.abort(error.message);
      return;
    }
    const spec = cluster.spec;
    this.say(`cluster ready: ${spec.etcdMembers} etcd member${spec.etcdMembers > 1 ? 's' : ''}, ${spec.apiservers} apiserver${spec.apiservers > 1 ? 's' : ''}, ${cluster.nodes.length} node${cluster.nodes.length === 1 ? '' : 's'}${cluster.layout.kubelets ? '' : ' (no kubelets)'}${cluster.layout.scheduler ? '' : ' (no scheduler)'}`);
    const until = this.options.untilMs;
    for (const step of scenario.steps) {
      if (until !== undefined && cluster.now >= until) {
        this.say(`--until ${formatVirtualTime(until)} reached; ${scenario.steps.length - this.stepsRun} step(s) not run`);
        break;
      }
      if (!this.runStep(step)) return;
      this.stepsRun++;
    }
    if (until !== undefined && cluster.now < until && !this.guard(() => cluster.runUntilTime(until))) return;
    this.say(`done: ${this.stepsRun}/${scenario.steps.length} steps, ${this.expectationsPassed} expectation(s) met, ${this.failures.length} failure(s)`);
  }

  /** Runs `work`; a component failing inside the model ends the run (false). */
  private guard(work: () => void): boolean {
    try {
      work();
      return true;
    } catch (error) {
      if (error instanceof ComponentFailure) {
        this.abort(error.message);
        return false;
      }
      throw error;
    }
  }

  private abort(reason: string): void {
    this.aborted = reason;
    this.failures.push({ step: 'run', message: reason });
    this.say(`ABORTED: ${reason}`);
  }

  private fail(step: Step, message: string): void {
    this.failures.push({ step: `${step.path}${step.label ? ` (${step.label})` : ''}`, message });
    this.say(`FAILED ${step.path}${step.label ? ` (${step.label})` : ''}: ${message}`);
  }

  /** One step; false when the run must stop. */
  private runStep(step: Step): boolean {
    if (step.label) this.say(`# ${step.label}`);
    this.say(commandLine(step));
    let thrown: Error | undefined;
    let lines: string[] = [];
    try {
      lines = this.perform(step);
    } catch (error) {
      if (error instanceof ComponentFailure) {
        this.abort(error.message);
        return false;
      }
      if (!(error instanceof Error) || error instanceof TypeError || error instanceof RangeError) throw error;
      thrown = error;
    }
    for (const line of lines) this.options.write(line);
    if (step.expectError !== undefined) {
      if (!thrown) this.fail(step, `expected an error containing "${step.expectError}", but the step succeeded`);
      else if (!thrown.message.includes(step.expectError)) this.fail(step, `expected an error containing "${step.expectError}", got: ${thrown.message}`);
      else this.options.write(`${thrown.message}  (expected)`);
      return true;
    }
    if (thrown) this.fail(step, thrown.message);
    return true;
  }

  /** Does the step; returns the lines kubectl would print. Throws what kubectl would report as an error. */
  private perform(step: Step): string[] {
    const { cluster } = this;
    switch (step.kind) {
      case 'apply': {
        const results = cluster.applyAll(step.objects, { source: step.source, ...(step.namespace ? { namespace: step.namespace } : {}) });
        const failed = results.filter((r) => r.action === 'failed');
        if (failed.length > 0) {
          const ok = results.filter((r) => r.action !== 'failed').map(describeApply);
          throw new StepError([...ok, ...failed.map(describeApply)].join('\n'));
        }
        return results.map(describeApply);
      }
      case 'delete':
        return this.performDelete(step);
      case 'scale':
        return [cluster.scale(step.target, step.replicas, step.namespace)];
      case 'setImage':
        return [cluster.setImage(step.target, step.images, step.namespace)];
      case 'rolloutUndo':
        return [cluster.rolloutUndo(step.target, step.toRevision, step.namespace)];
      case 'wait':
        if (step.durationMs !== undefined) {
          this.runFor(step.durationMs);
          return [];
        }
        return this.waitFor(step.condition!, step.timeoutMs, 'wait');
      case 'fault':
        this.applyFault(step.fault);
        return [];
      case 'expect': {
        const lines = this.waitFor(step.condition, step.withinMs, 'expect');
        this.expectationsPassed++;
        return lines;
      }
    }
  }

  private performDelete(step: Extract<Step, { kind: 'delete' }>): string[] {
    const { cluster } = this;
    const resource = resolveResource(step.resource);
    const namespace = step.namespace ?? 'default';
    const { lines, deleted } = deleteWith(cluster, step, namespace);
    if (step.wait && deleted.length > 0) {
      // kubectl delete waits until every deleted object is gone (or replaced by a new one of that name).
      const gone = () => deleted.every((d) => {
        const now = cluster.get(resource.plural, d.name, namespace);
        return now === undefined || now.metadata?.uid !== d.uid;
      });
      const deadline = cluster.now + 300_000;
      while (!gone()) {
        if (cluster.now >= deadline) throw new StepError('error: timed out waiting for the condition');
        this.runFor(POLL_INTERVAL_MS);
      }
    }
    return lines;
  }

  /** Polls `condition` until it holds or `timeoutMs` pass (0: look once). Throws when it never held. */
  private waitFor(condition: Condition, timeoutMs: number, verb: 'wait' | 'expect'): string[] {
    const deadline = this.cluster.now + timeoutMs;
    let verdict: Verdict = evaluate(this.cluster, condition);
    while (!verdict.ok && this.cluster.now < deadline) {
      this.runFor(Math.min(POLL_INTERVAL_MS, deadline - this.cluster.now));
      verdict = evaluate(this.cluster, condition);
    }
    if (!verdict.ok) {
      const within = timeoutMs > 0 ? ` within ${formatVirtualTime(timeoutMs)}` : '';
      throw new StepError(`${verb === 'wait' ? 'timed out waiting for' : 'expected'} ${describeCondition(condition)}${within}: ${verdict.detail}`);
    }
    return [`ok: ${verdict.detail}`];
  }

  private runFor(ms: number): void {
    const until = this.options.untilMs;
    const stop = until === undefined ? this.cluster.now + ms : Math.min(this.cluster.now + ms, Math.max(until, this.cluster.now));
    this.cluster.runUntilTime(stop);
  }

  private applyFault(action: FaultAction): void {
    const { cluster } = this;
    const at = cluster.now;
    const record = (fault: Fault) => this.recorder?.onFault({ at, fault } satisfies AppliedFault);
    switch (action.kind) {
      case 'crash':
        for (const target of cluster.addressesOf(action.target)) {
          cluster.crash(target, { loseUnsynced: action.loseUnsynced });
          record({ at, kind: 'crash', target, loseUnsynced: action.loseUnsynced });
        }
        return;
      case 'restart':
        for (const target of cluster.addressesOf(action.target)) {
          cluster.restart(target);
          record({ at, kind: 'restart', target });
        }
        return;
      case 'partition':
      case 'heal':
      case 'degrade': {
        const fault: Fault = action.kind === 'partition'
          ? { at, kind: 'partition', id: action.id, from: action.from, to: action.to, oneWay: action.oneWay }
          : action.kind === 'heal'
            ? { at, kind: 'heal', ...(action.id !== undefined ? { id: action.id } : {}) }
            : { at, kind: 'degrade', id: action.id, from: action.from, to: action.to, link: action.link, durationMs: action.durationMs };
        applyFault(cluster.sim, fault);
        record(fault);
      }
    }
  }
}

/** A step failed the way kubectl reports failures (its message is what kubectl prints). */
class StepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepError';
  }
}

function deleteWith(cluster: Cluster, step: Extract<Step, { kind: 'delete' }>, namespace: string): { lines: string[]; deleted: { name: string; uid?: string }[] } {
  const resource = resolveResource(step.resource);
  const names = step.name !== undefined
    ? [step.name]
    : cluster.list(resource.plural, { namespace, labelSelector: step.selector }).map((o) => o.metadata?.name ?? '').sort().slice(0, step.limit);
  if (names.length === 0) return { lines: [`No resources found in ${namespace} namespace.`], deleted: [] };
  const deleted = names.map((name) => ({ name, uid: cluster.get(resource.plural, name, namespace)?.metadata?.uid }));
  const lines = names.flatMap((name) => cluster.delete(resource.plural, name, {
    namespace, ...(step.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: step.gracePeriodSeconds } : {}),
  }));
  return { lines, deleted };
}

/** The step as the command a user would have typed (or a comment for what kubectl cannot do). */
export function commandLine(step: Step): string {
  const ns = 'namespace' in step && step.namespace ? ` -n ${step.namespace}` : '';
  switch (step.kind) {
    case 'apply':
      return `$ kubectl apply -f ${step.source === 'STDIN' ? '-' : step.source}${ns}`;
    case 'delete': {
      const resource = resolveResource(step.resource);
      const what = step.name !== undefined ? `${resource.singular} ${step.name}` : `${resource.plural} -l ${step.selector}${step.limit ? `  # the first ${step.limit}` : ''}`;
      return `$ kubectl delete ${what}${ns}${step.wait ? '' : ' --wait=false'}`;
    }
    case 'scale':
      return `$ kubectl scale ${step.target} --replicas=${step.replicas}${ns}`;
    case 'setImage':
      return `$ kubectl set image ${step.target} ${Object.entries(step.images).map(([c, i]) => `${c}=${i}`).join(' ')}${ns}`;
    case 'rolloutUndo':
      return `$ kubectl rollout undo ${step.target}${step.toRevision ? ` --to-revision=${step.toRevision}` : ''}${ns}`;
    case 'wait':
      return step.durationMs !== undefined ? `# wait ${formatVirtualTime(step.durationMs)}` : `# wait for ${describeCondition(step.condition!)} (timeout ${formatVirtualTime(step.timeoutMs)})`;
    case 'fault':
      return `# fault: ${describeFault(step.fault)}`;
    case 'expect':
      return `# expect ${describeCondition(step.condition)}${step.withinMs > 0 ? ` within ${formatVirtualTime(step.withinMs)}` : ''}`;
  }
}

function describeFault(f: FaultAction): string {
  switch (f.kind) {
    case 'crash':
      return `crash ${f.target}${f.loseUnsynced ? ' (losing un-synced writes)' : ''}`;
    case 'restart':
      return `restart ${f.target}`;
    case 'partition':
      return `partition ${f.id}: ${f.from.join(',')} ${f.oneWay ? '→' : '↔'} ${f.to.join(',')}`;
    case 'heal':
      return f.id ? `heal ${f.id}` : 'heal every partition';
    case 'degrade':
      return `degrade ${f.from} → ${f.to} for ${formatVirtualTime(f.durationMs)}`;
  }
}
