import Consul from 'consul';
import { BlobStore } from '../../image/src/blob-store';
import { loadIntoDaemon } from '../../image/src/daemon';
import { connectEngine, type Engine } from '../../image/src/engine';
import { readImage, writeImage } from '../../image/src/image';
import { buildLayer } from '../../image/src/layer';
import type { BuildRecord } from '../../image/src/record';
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
  async derivedImage(base: BuildRecord, files: { path: string; content: string }[]): Promise<string> {
    const tag = `microbox-test/${this.owner}-${++this.derived}:latest`;
    const store = BlobStore.forEnv();
    const baseImage = await readImage(store, base.manifest);
    const created = baseImage.configJson.created ?? '2000-01-01T00:00:00Z';
    const layer = await buildLayer(store, files.map((f) => ({ type: 'file' as const, path: f.path, content: f.content, mode: 0o644 })), { mtime: new Date(created) });
    const image = await writeImage(store, {
      base: baseImage,
      layers: [layer],
      config: { platform: baseImage.manifest.platform!, created, labels: { [OWNER_LABEL]: this.owner } },
      history: ['microbox-test: files replaced'],
    });
    await loadIntoDaemon(this.engine, store, image, [tag]);
    return tag;
  }

  logs(c: RunningContainer): Promise<string> {
    return containerLogs(c.container);
  }

  async down(): Promise<void> {
    await removeOwned(this.engine, this.owner);
  }
}
