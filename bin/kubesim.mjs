#!/usr/bin/env -S node --max-semi-space-size=64
// A larger young generation: a simulation allocates many short-lived objects (XState snapshots, messages);
// measured +17 % simulated/CPU on bench/idle (docs/performance.md).
// The `kubesim` command. TypeScript sources run through tsx's loader, so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
