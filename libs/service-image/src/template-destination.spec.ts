import { describe, expect, it } from 'vitest';
import { checkDestination } from './template-destination';

describe('checkDestination', () => {
  it.each([
    ['/run/greeter/greeter.json', '/run/greeter/greeter.json'],
    ['/run/greeter//conf/./a.json', '/run/greeter/conf/a.json'],
    ['/run/greeter/x/../b.json', '/run/greeter/b.json'],
    ['/tmp/greeter.json', '/tmp/greeter.json'],
  ])('takes %j as %j', (given, normal) => {
    expect(checkDestination('greeter', 'consul/greeter.json.ctmpl', given)).toBe(normal);
  });

  it.each([
    '/run/../etc/passwd',
    '/run/greeter/../../etc/shadow',
    '/tmp/../etc/passwd',
    '/run/s6/app/run',
    '/run/gateway/config.json',
    '/etc/passwd',
    '/run/greeter/',
    '/run/greeter',
    '/tmp/',
    'run/greeter/x',
  ])('refuses %j, naming it and where to render', (destination) => {
    expect(() => checkDestination('greeter', 'consul/greeter.json.ctmpl', destination)).toThrow(
      new RegExp(`template consul/greeter.json.ctmpl of greeter renders to ${JSON.stringify(destination).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*render under /run/greeter/ or /tmp/, e.g. /run/greeter/greeter.json`),
    );
  });

  it('refuses a quote and a newline: they are never part of a file name here', () => {
    expect(() => checkDestination('greeter', 't.ctmpl', '/run/greeter/a"\n}\ntemplate {')).toThrow(/holds a control character/);
  });
});
