import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configVariables } from '../../src/index.js';

describe('docs/configuration.md', () => {
  it('documents every configuration variable, and nothing that does not exist', () => {
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]));
    expect([...documented].sort()).toEqual(configVariables.map((variable) => variable.env).sort());
  });
});
