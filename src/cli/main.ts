import { Command, CommanderError } from 'commander';
import { registerCheckCommands } from './commands/check.ts';
import { registerReviewCommands } from './commands/review.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerSimCommands } from './commands/sim.ts';
import { registerUpCommand } from './commands/up.ts';
import { UsageError } from './usage-error.ts';

/**
 * The `kubesim` command line. Each command group lives in its own file under commands/ and registers
 * itself here; `main` returns the exit status instead of exiting so tests can drive it.
 */
export function buildProgram(): Command {
  const program = new Command('kubesim')
    .description('An executable model of the Kubernetes control plane on a virtual clock.')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerSimCommands(program);
  registerReviewCommands(program);
  registerCheckCommands(program);
  registerRunCommand(program);
  registerUpCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof UsageError) {
      process.stderr.write(`kubesim: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
