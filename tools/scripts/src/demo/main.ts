import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { $ } from 'zx';
import { imageExists } from '../../../../libs/image/src/daemon';
import type { Engine } from '../../../../libs/image/src/engine';
import { type BuildRecord, formatMB, platformImages, readRecord } from '../../../../libs/image/src/record';
import type { RunningContainer } from '../../../../libs/stack/src/containers';
import { Stack } from '../../../../libs/stack/src/stack';
import { httpGet, waitFor } from '../../../../libs/stack/src/wait';
import { commandFlags } from '../flags';
import { ARTICLE_MB, sizeTable, type SizeRow } from './article';

const OWNER = 'microbox-demo';
const root = join(import.meta.dirname, '..', '..', '..', '..');
const step = (text: string) => console.log(`\n==> ${text}`);

async function greet(url: string, name: string): Promise<string> {
  const { status, body } = await httpGet(`${url}?name=${name}`, 2000);
  if (status !== 200) throw new Error(`${url} answered ${status}: ${body.trim()}`);
  return body.trim();
}

async function waitServing(url: string, expected: string): Promise<number> {
  return (await waitFor(`${url} serving "${expected}"`, async () => ((await greet(url, 'demo').catch(() => '')).includes(expected) ? true : undefined), { timeoutMs: 30_000, intervalMs: 20 })).ms;
}

/** What `docker images` says of an image, the article's measure; the record's layer tars (a little more: tar headers) when the daemon lacks it. */
async function daemonSize(engine: Engine, record: BuildRecord): Promise<number> {
  return (await engine.docker.getImage(record.id).inspect().catch(() => undefined))?.Size ?? record.size;
}

async function sizes(engine: Engine): Promise<SizeRow[]> {
  const rows: SizeRow[] = [{ image: 'ubuntu (2015)', mb: ARTICLE_MB.ubuntu }, { image: 'alpine (2015)', mb: ARTICLE_MB.alpine }];
  const base = await readRecord(join(root, 'dist/images/basebox.json'));
  if (base) {
    const size = await daemonSize(engine, base);
    rows.push({ image: base.tags[0] ?? 'basebox', mb: size / 1e6, article: `base box ${ARTICLE_MB.basebox} MB (with a 2015 consul-template)` });
    const consulTemplate = base.parts.find((p) => p.name === 'consul-template')?.bytes ?? 0;
    rows.push({ image: '  of which around consul-template', mb: (size - consulTemplate) / 1e6, article: `Alpine and s6 about ${ARTICLE_MB.aroundConsulTemplate} MB` });
  }
  for (const svc of ['greeter', 'gateway', 'catalog']) {
    const record = await readRecord(join(root, `dist/images/${svc}.json`));
    // catalog has no Consul config, so it is built on the slim base: no consul-template in it.
    const image = record?.meta.base?.endsWith('-slim') ? `${record.tags[0]} (slim base)` : record?.tags[0] ?? svc;
    if (record) rows.push({ image, mb: (await daemonSize(engine, record)) / 1e6, article: `a service about ${ARTICLE_MB.service} MB` });
  }
  return rows;
}

/** Each image's size per platform (layer tars, from its record): the daemon holds one, the index its tags name holds both. */
async function platformSizes(): Promise<string[]> {
  const lines: string[] = [];
  for (const name of ['basebox', 'greeter', 'gateway', 'catalog']) {
    const record = await readRecord(join(root, `dist/images/${name}.json`));
    if (!record?.index) continue;
    lines.push(`${record.tags[0]}: ${platformImages(record).map((p) => `${p.platform} ${formatMB(p.image.size)}`).join(', ')}`);
  }
  return lines;
}

/**
 * The README's main job: build the images with Nx, run them against a real
 * Consul, show a request served, change the greeting in Consul and show the
 * new one served, and compare sizes with the article. Leaves nothing running
 * unless --keep.
 */
const HELP = `usage: npm run demo [-- --keep | --down | --help]

Builds every image with Nx, starts Consul, two greeters and the gateway on a
Docker network of their own, shows a request served and a greeting changed in
Consul served, prints the image sizes beside the 2015 article's, and removes
everything it started.

  --keep   leave the stack up, and print how to reach it and stop it
  --down   remove a stack an earlier --keep left up
  --help   this text`;

async function main(): Promise<void> {
  const { keep, down } = commandFlags('demo', ['keep', 'down'], HELP, 'npm run demo -- --help');
  if (down) {
    const stack = await Stack.up(OWNER, { fixed: true });
    await stack.down();
    console.log(`demo: removed the stack "${OWNER}"`);
    return;
  }
  const started = Date.now();
  step('building the images with Nx (go-build, then basebox:layout and <svc>:layout write OCI layouts, then each image target loads one into the daemon)');
  await $({ cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } })`npx nx run-many -t image --outputStyle=stream`;

  step('starting Consul and the services on a Docker network of their own');
  const stack = await Stack.up(OWNER, { fixed: true });
  let done = false;
  const cleanup = async () => {
    if (done) return;
    done = true;
    if (!keep) await stack.down();
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    const leaderMs = await stack.startConsul();
    console.log(`consul: leader after ${leaderMs} ms, API at ${stack.consul!.url}`);
    const kv = stack.consulClient().kv;
    await kv.set('greeter/greeting', 'Hello from Consul');

    const greeters: RunningContainer[] = [];
    for (const n of [1, 2]) greeters.push(await stack.startService('greeter:latest', `greeter-${n}`));
    let front = `${greeters[0].url}/greet`;
    if (existsSync(join(root, 'apps/gateway')) && (await imageExists(stack.engine, 'gateway:latest'))) {
      const gateway = await stack.startService('gateway:latest', 'gateway');
      front = `${gateway.url}/api/greet`;
      console.log(`gateway: ${gateway.url}, in front of greeter-1 and greeter-2`);
    }
    for (const g of greeters) console.log(`${g.name.replace(`${OWNER}-`, '')}: ${g.url}`);

    step(`a request, served with the greeting consul-template rendered from KV greeter/greeting`);
    await waitServing(front, 'Hello from Consul');
    for (let i = 0; i < 4; i++) console.log(`GET ${front}?name=demo -> ${await greet(front, 'demo')}`);

    step('changing the greeting in Consul: consul-template renders it and reloads greeter (SIGHUP)');
    const putAt = Date.now();
    await kv.set('greeter/greeting', 'Bonjour');
    const ms = await waitServing(front, 'Bonjour');
    console.log(`PUT greeter/greeting=Bonjour; served ${Date.now() - putAt} ms later (poll ${ms} ms)`);
    console.log(`GET ${front}?name=demo -> ${await greet(front, 'demo')}`);

    step('image sizes beside the article\'s');
    for (const line of sizeTable(await sizes(stack.engine))) console.log(line);
    const perPlatform = await platformSizes();
    if (perPlatform.length) console.log(`\nper platform (layer tars; the tags name an index of both, the daemon holds its own platform's image):\n${perPlatform.map((l) => `  ${l}`).join('\n')}`);
    console.log(`\ndemo: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (keep) {
      console.log(`\nThe stack is still up (--keep): Consul at ${stack.consul!.url}, the front door at ${front}?name=you`);
      console.log(`Change the greeting: curl -X PUT -d 'Hi' ${stack.consul!.url}/v1/kv/greeter/greeting`);
      console.log('Stop it: npm run demo -- --down');
    }
  } finally {
    await cleanup();
    if (!keep) console.log('demo: everything it started is removed');
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${(err as Error).message}`);
  process.exit(1);
});
