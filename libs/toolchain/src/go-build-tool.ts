import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { formatSeconds, progress } from './report';
import type { GoToolchain } from '../../gobuild/src/find-go';

export interface GoStep {
  /** What the step does, as progress shows it. */
  label: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs one `go` command for a tool build, printing a progress line every
 * `everyMs` with the number of packages go has reported (`-v`, `-x` or download lines),
 * since cold builds of Consul take minutes and say nothing otherwise.
 * Resolves with stdout; rejects with the tail of go's own output.
 */
export function runGo(go: GoToolchain, tool: string, step: GoStep, everyMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(go.path, step.args, {
      cwd: step.cwd,
      env: {
        ...process.env,
        ...step.env,
        PATH: `${dirname(go.path)}:${process.env.PATH ?? ''}`,
        CGO_ENABLED: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderrTail: string[] = [];
    let lines = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString().split('\n').filter(Boolean);
      lines += text.length;
      stderrTail = [...stderrTail, ...text].slice(-20);
    });
    const timer = setInterval(
      () => progress(tool, `${step.label}: ${lines} packages so far (${formatSeconds(Date.now() - started)})`),
      everyMs,
    );
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${step.label} failed (go exit ${code}):\n${stderrTail.join('\n')}`));
    });
  });
}
