import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listedFileInputs } from './listed-files';

let ws: string;
beforeEach(() => {
  ws = mkdtempSync(join(tmpdir(), 'listed-files-'));
  mkdirSync(join(ws, 'apps/shop'), { recursive: true });
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

const projectJson = (value: unknown) => writeFileSync(join(ws, 'apps/shop/project.json'), typeof value === 'string' ? value : JSON.stringify(value));

describe('listedFileInputs', () => {
  it('makes every listed file and folder an input, READMEs and e2e/ included', () => {
    projectJson({ targets: { layout: { options: { files: ['docs/help.md', './static/', 'e2e/fixture.json'] } } } });
    expect(listedFileInputs(ws, 'apps/shop')).toEqual([
      '{projectRoot}/docs/help.md',
      '{projectRoot}/docs/help.md/**/*',
      '{projectRoot}/static',
      '{projectRoot}/static/**/*',
      '{projectRoot}/e2e/fixture.json',
      '{projectRoot}/e2e/fixture.json/**/*',
    ]);
  });

  it('gives none without a project.json, without files, or with one it cannot read', () => {
    expect(listedFileInputs(ws, 'apps/shop')).toEqual([]);
    projectJson({ targets: { layout: { options: { port: 8080 } } } });
    expect(listedFileInputs(ws, 'apps/shop')).toEqual([]);
    projectJson('{ not json');
    expect(listedFileInputs(ws, 'apps/shop')).toEqual([]);
    projectJson({ targets: { layout: { options: { files: 'static' } } } });
    expect(listedFileInputs(ws, 'apps/shop')).toEqual([]);
  });
});
