import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import serviceGenerator from './generator';

let tree: Tree;
beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
  tree.write('apps/greeter/main.go', 'package main\n');
  tree.write('libs/go/service/run.go', 'package service\n');
  tree.write('libs/basebox/project.json', JSON.stringify({ name: 'basebox', root: 'libs/basebox' }));
});

const written = () =>
  tree
    .listChanges()
    .map((c) => c.path)
    .filter((p) => p.startsWith('apps/'))
    .sort();

describe('service generator', () => {
  it('writes a service folder whose every file names the service', async () => {
    await serviceGenerator(tree, { name: 'orders' });
    expect(written().filter((p) => p.startsWith('apps/orders'))).toEqual([
      'apps/orders/README.md',
      'apps/orders/config.go',
      'apps/orders/consul/config.json.ctmpl',
      'apps/orders/e2e/orders.e2e.ts',
      'apps/orders/handlers.go',
      'apps/orders/handlers_test.go',
      'apps/orders/main.go',
      'apps/orders/project.json',
    ]);
    expect(tree.read('apps/orders/consul/config.json.ctmpl', 'utf8')).toBe('{"message": {{ keyOrDefault "orders/message" "Hello from orders" | toJSON }}}\n');
    expect(tree.read('apps/orders/main.go', 'utf8')).toContain('const serviceName = "orders"');
    expect(tree.read('apps/orders/README.md', 'utf8')).toMatch(/\*\*KV key\*\* `orders\/message`; \*\*default\*\* `Hello from orders`/);
    for (const p of written()) expect(tree.read(p, 'utf8'), p).not.toMatch(/<%|__name__|__tmpl__/);
  });

  it("says the template's action in a project.json: reload (the app handles SIGHUP) unless restart is asked for", async () => {
    await serviceGenerator(tree, { name: 'billing-api', reload: 'restart' });
    expect(readJson(tree, 'apps/billing-api/project.json').targets.layout.options.templates).toEqual([{ source: 'consul/config.json.ctmpl', reload: 'restart' }]);
    expect(readJson(tree, 'apps/billing-api/project.json').name).toBeUndefined();
    await serviceGenerator(tree, { name: 'plain' });
    expect(readJson(tree, 'apps/plain/project.json').targets.layout.options.templates).toEqual([{ source: 'consul/config.json.ctmpl', reload: 'reload' }]);
  });

  it('refuses a bad or taken name, writing nothing', async () => {
    const cases: [string, RegExp][] = [
      ['Orders', /service name "Orders" is not usable as an image .*; nothing was written/],
      ['9lives', /service name "9lives"/],
      ['a_b', /service name "a_b"/],
      ['', /service name ""/],
      ['greeter', /cannot add service "greeter": apps\/greeter exists already: pick another name; nothing was written/],
      ['go-service', /the Go package libs\/go\/service is the project go-service/],
      ['basebox', /the project basebox exists already at libs\/basebox/],
    ];
    for (const [name, error] of cases) await expect(serviceGenerator(tree, { name }), name).rejects.toThrow(error);
    await expect(serviceGenerator(tree, { name: 'x', reload: 'bounce' as 'reload' })).rejects.toThrow('--reload=bounce is not a choice');
    expect(written()).toEqual(['apps/greeter/main.go']);
  });
});
