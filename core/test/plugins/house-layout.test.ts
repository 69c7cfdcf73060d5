import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// One convention per thing (docs/plugins/authoring.md, Conventions), kept by every first-party plugin with
// a backend and by the example; the scaffold's own layout is checked by the create-plugin test.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const packages = [
  ...readdirSync(path.join(repoRoot, 'plugins'))
    .filter((name) => name !== 'console') // UI only: no events, jobs or services
    .map((name) => `plugins/${name}`),
  'examples/hello-plugin',
];

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

describe.each(packages)('%s', (pkg) => {
  const src = path.join(repoRoot, pkg, 'src');
  const files = sources(src);
  const read = (file: string) => readFileSync(path.join(src, file), 'utf8');
  const declaring = (augmented: string) => files.filter((file) => new RegExp(`interface ${augmented}\\b`).test(read(file)));

  it('exports the plugin and its contract from src/index.ts', () => {
    expect(existsSync(path.join(src, 'contract.ts'))).toBe(true);
    expect(read('index.ts')).toContain('export { default');
    expect(read('index.ts')).toContain("export * from './contract.js';");
  });

  it('declares its events in src/contract.ts and its jobs in src/jobs/job-types.ts, nowhere else', () => {
    expect(declaring('PlinthEvents').filter((file) => file !== 'contract.ts')).toEqual([]);
    expect(declaring('PlinthJobs').filter((file) => file !== path.join('jobs', 'job-types.ts'))).toEqual([]);
    if (declaring('PlinthJobs').length > 0) expect(read('plugin.ts')).toContain("import './jobs/job-types.js';");
  });

  it('names SQL fragments in camelCase (<entity>Columns, <entity>From, <entity>Select)', () => {
    const shouting = files.flatMap((file) => read(file).match(/\bconst (?:[A-Z][A-Z0-9_]*_)?(?:COLUMNS|SELECT|FROM|SQL)\b/g) ?? []);
    expect(shouting).toEqual([]);
  });
});
