import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stack } from '../../../libs/stack/src/stack';
import { expectLogLines, GREETER_IMAGE, greeterRecord, greeting, requireGreeterImage, waitExit, waitHealthy } from './greeter-stack';

const TEMPLATE = '/etc/consul-template/templates/greeter.json.ctmpl';

// What the container does with bad input, as apps/greeter/README.md documents it.
describe('greeter with bad input', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.up('e2e-greeter-bad');
    await requireGreeterImage(stack);
    await stack.startConsul();
  });
  afterAll(async () => stack?.down());

  it('a template with a syntax error: consul-template says where, and the container stops with 78 after CONFIG_WAIT', async () => {
    const image = await stack.derivedImage(await greeterRecord(), [{ path: TEMPLATE, content: '{"greeting": {{ keyOrDefault "greeter/greeting" "Hello" | toJSON }\n' }]);
    const c = await stack.startService(image, 'bad-template', { env: { CONFIG_WAIT: '3s' } });
    const { code } = await waitExit(c, 20_000);
    expect(code).toBe(78);
    expectLogLines(
      await stack.logs(c),
      /\[ERR\] .*greeter\.json\.ctmpl.*(unexpected|parse)/i,
      /app: no config at \/run\/greeter\/greeter\.json after 3s: consul-template has not rendered it/,
    );
  });

  it('a missing key: the template default is served', async () => {
    await stack.consulClient().kv.del('greeter/greeting');
    const c = await stack.startService(GREETER_IMAGE, 'missing-key');
    await waitHealthy(c, 15_000);
    expect(await greeting(c)).toBe('Hello, Ann!');
  });

  it('a template whose key never comes: the container stops with 78 after CONFIG_WAIT, naming the file', async () => {
    const image = await stack.derivedImage(await greeterRecord(), [{ path: TEMPLATE, content: '{"greeting": {{ key "greeter/never-set" | toJSON }}}\n' }]);
    const c = await stack.startService(image, 'never-key', { env: { CONFIG_WAIT: '3s' } });
    const { code } = await waitExit(c, 20_000);
    expect(code).toBe(78);
    expectLogLines(await stack.logs(c), /app: no config at \/run\/greeter\/greeter\.json after 3s/);
  });

  it('CONSUL_HTTP_ADDR pointing nowhere: consul-template names it, and the container stops with 78 after CONFIG_WAIT', async () => {
    const c = await stack.startService(GREETER_IMAGE, 'nowhere', { env: { CONSUL_HTTP_ADDR: 'nowhere.invalid:8500', CONFIG_WAIT: '3s' } });
    const { code } = await waitExit(c, 20_000);
    expect(code).toBe(78);
    expectLogLines(
      await stack.logs(c),
      /consul-template: rendering from Consul at nowhere\.invalid:8500/,
      /nowhere\.invalid/,
      /is Consul at nowhere\.invalid:8500 up/,
    );
  });

  it('the app giving up at once (exit 78, a bad PORT): the container stops with 78', async () => {
    const c = await stack.startService(GREETER_IMAGE, 'bad-port', { env: { PORT: 'http' } });
    const { code, ms } = await waitExit(c, 20_000);
    expect(code).toBe(78);
    expect(ms).toBeLessThan(10_000);
    expectLogLines(await stack.logs(c), /PORT=\\?"http\\?" is not a TCP port/, /app: exit code 78 means greeter gives up for good: stopping the container with 78/);
  });

  it('a crash loop (a port the app user may not bind): the container stops with the app exit code', async () => {
    // Docker lets any user bind any port in a container unless told otherwise.
    const c = await stack.startService(GREETER_IMAGE, 'crash-loop', { env: { PORT: '80' }, sysctls: { 'net.ipv4.ip_unprivileged_port_start': '1024' } });
    const { code } = await waitExit(c, 30_000);
    expect(code).toBe(1);
    expectLogLines(await stack.logs(c), /cannot listen/, /app: greeter ended 5 times within 30s: a crash loop; stopping the container with 1/);
  });
});
