import Consul from 'consul';
import { buildImage } from '../../image/src/build';
import { contextTar } from '../../image/src/context';
import { connectEngine, type Engine } from '../../image/src/engine';
import { consul as consulRecipe } from '../../toolchain/src/recipes';
import { sha256File } from '../../checksum/src/sha256';
import { locateTool } from '../../toolchain/src/tools';
import { consulHasLeader, startConsulContainer, type ConsulBinary } from './consul-container';
import { containerLogs, createNetwork, OWNER_LABEL, removeOwned, runContainer, type ContainerSpec, type RunningContainer } from './containers';
import { waitFor } from './wait';

/**
 * Consul and services on a Docker network of their own, all labelled with one
 * owner so `down()` removes every container and the network, pass or fail.
 * The services reach Consul as `consul:8500`; the host reaches everything
 * through ports published on 127.0.0.1.
 */
export class Stack {
  consul?: RunningContainer;
  private constructor(
    readonly engine: Engine,
    readonly owner: string,
    readonly network: string,
    private readonly consulBinary: ConsulBinary,
  ) {}

  /**
   * A new stack. Its owner is `prefix` made unique, or `prefix` itself with
   * `fixed` (the demo's, so a later run can find and remove it), in which case
   * whatever an earlier run left under that name is removed first.
   */
  static async up(prefix: string, { fixed = false } = {}): Promise<Stack> {
    const engine = await connectEngine();
    const { path } = await locateTool(consulRecipe);
    const binary = { path, version: consulRecipe.version, sha256: await sha256File(path) };
    const owner = fixed ? prefix : `${prefix}-${process.pid}-${Date.now().toString(36)}`;
    if (fixed) await removeOwned(engine, owner);
    const stack = new Stack(engine, owner, `${owner}-net`, binary);
    await createNetwork(engine, stack.network, owner);
    return stack;
  }

  /** Starts Consul and waits for its leader; resolves with the time that took. */
  async startConsul(): Promise<number> {
    this.consul = await startConsulContainer(this.engine, this.consulBinary, { name: `${this.owner}-consul`, network: this.network, owner: this.owner });
    return (await waitFor('consul leader', () => consulHasLeader(this.consul!.url!), { timeoutMs: 30_000 })).ms;
  }

  consulClient(): Consul {
    if (!this.consul?.url) throw new Error('Consul is not started: call startConsul() first');
    return new Consul({ host: '127.0.0.1', port: Number(new URL(this.consul.url).port) });
  }

  /** Runs a service image on the stack's network, with CONSUL_HTTP_ADDR set and its port published. */
  async startService(image: string, name: string, options: Partial<ContainerSpec> = {}): Promise<RunningContainer> {
    return runContainer(this.engine, {
      image,
      name: `${this.owner}-${name}`,
      owner: this.owner,
      network: this.network,
      aliases: [name],
      publish: 8080,
      ...options,
      env: { CONSUL_HTTP_ADDR: 'consul:8500', ...options.env },
    });
  }

  private derived = 0;

  /** An image FROM `base` with some files replaced, for tests of bad input; removed by down(). */
  async derivedImage(base: string, files: { path: string; content: string }[]): Promise<string> {
    const tag = `microbox-test/${this.owner}-${++this.derived}:latest`;
    const dockerfile = [`FROM ${base}`, 'COPY rootfs/ /', `LABEL ${OWNER_LABEL}=${this.owner}`, ''].join('\n');
    await buildImage(this.engine, {
      context: contextTar([
        { type: 'file', path: 'Dockerfile', content: dockerfile },
        ...files.map((f) => ({ type: 'file' as const, path: `rootfs/${f.path.replace(/^\//, '')}`, content: f.content })),
      ]),
      tags: [tag],
    });
    return tag;
  }

  logs(c: RunningContainer): Promise<string> {
    return containerLogs(c.container);
  }

  async down(): Promise<void> {
    await removeOwned(this.engine, this.owner);
  }
}
