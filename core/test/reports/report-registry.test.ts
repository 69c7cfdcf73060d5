import { definePlugin, type ReportFormat } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { validatePlugin } from '../../src/plugins/plugin-registry.js';
import { ledgerPermissions, ledgerPlugin } from './ledger-plugin.js';

/** The ledger plugin with one report, `overrides` applied to a valid one. */
function withReport(overrides: Record<string, unknown>) {
  return definePlugin({
    name: 'ledger',
    version: '1.0.0',
    title: 'Ledger',
    description: 'Entries',
    category: 'finance',
    requires: { core: '>=0.1.0' },
    permissions: ledgerPermissions,
    reports: ({ report }) => [
      report({
        name: 'ledger.entries',
        title: 'Entries',
        permission: ledgerPermissions['entries.view'],
        params: Type.Object({}),
        columns: [{ key: 'n', label: 'N', type: 'integer' }],
        rows: async function* () {
          yield { n: 1 };
        },
        ...overrides,
      }),
    ],
  });
}

describe('a plugin’s reports, checked when it loads', () => {
  it('accepts well-formed reports', () => {
    expect(() => validatePlugin(ledgerPlugin)).not.toThrow();
    expect(() => validatePlugin(withReport({}))).not.toThrow();
  });

  it.each([
    [{ name: 'shop.entries' }, 'report shop.entries must be named ledger.<kebab-case name>'],
    [{ name: 'ledger.Entries' }, 'must be named ledger.<kebab-case name>'],
    [{ title: ' ' }, 'needs a title'],
    [{ columns: [] }, 'needs at least one column'],
    [
      {
        columns: [
          { key: 'n', label: 'N' },
          { key: 'n', label: 'Again' },
        ],
      },
      'column n is declared twice',
    ],
    [{ columns: [{ key: 'n', label: 'N', type: 'currency' }] }, 'column n has unknown type currency'],
    [{ formats: ['csv', 'docx'] as unknown as ReportFormat[] }, 'format docx is not one of csv, xlsx, pdf'],
    [{ permission: { name: 'crm.contacts.view' } }, "permission crm.contacts.view must be one of the plugin's own"],
    [{ params: Type.String() }, 'params must be a TypeBox object'],
    [{ rows: undefined }, 'needs rows()'],
  ])('refuses %j, naming the plugin and the report', (overrides, problem) => {
    expect(() => validatePlugin(withReport(overrides))).toThrow(problem);
    expect(() => validatePlugin(withReport(overrides))).toThrow(/^plugin `ledger`: report /);
  });
});
