import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_LABEL } from './daemon-images';
import { GO_BUILD_FLAGS } from './library';
import { run } from './run';

export interface DockerfileTarget {
  workspace: string;
  service: string;
  goImage: string;
  baseImage: string;
  /** The label value every image of this run carries, for the cleanup. */
  label: string;
  /** Where the Dockerfile is written (outside the context). */
  dockerfile: string;
  tag: string;
}

/**
 * A multi-stage Dockerfile that compiles Go inside, as most projects have:
 * the module files and sources are copied into the Go stage, built there
 * (its Go build cache is empty every time: the classic builder has no cache
 * mounts), and only the binary is copied onto our base.
 */
export function writeDockerfile(t: DockerfileTarget): void {
  const flags = GO_BUILD_FLAGS.map((f) => JSON.stringify(f)).join(', ');
  writeFileSync(
    t.dockerfile,
    [
      `FROM ${t.goImage} AS build`,
      `LABEL ${BENCH_LABEL}=${t.label}`,
      'WORKDIR /src',
      'COPY go.mod ./',
      'COPY libs/go libs/go',
      `COPY apps/${t.service} apps/${t.service}`,
      `RUN ["go", "build", ${flags}, "-o", "/out/${t.service}", "./apps/${t.service}"]`,
      '',
      `FROM ${t.baseImage}`,
      `LABEL ${BENCH_LABEL}=${t.label}`,
      `COPY --from=build /out/${t.service} /usr/bin/${t.service}`,
      '',
    ].join('\n'),
  );
  // Only what the build reads goes to the daemon (not node_modules, dist or .git).
  writeFileSync(join(t.workspace, '.dockerignore'), ['*', '!go.mod', '!go.sum', '!libs/go', `!apps/${t.service}`, ''].join('\n'));
}

/** `docker build` through the daemon, with the classic builder (this Docker CLI has no buildx). */
export function dockerBuild(t: DockerfileTarget): Promise<string> {
  return run('docker', ['build', '-q', '--label', `${BENCH_LABEL}=${t.label}`, '-f', t.dockerfile, '-t', t.tag, t.workspace], {
    cwd: t.workspace,
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
}
