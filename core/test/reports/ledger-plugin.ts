// A plugin with reports, for the kernel's report tests: a ledger table read through `deps.db.stream`, a report
// whose rows wait on a gate the test opens, and generated rows for the memory bound.
import { coreServices, defineMigration, definePermissions, definePlugin, Type, ValidationError } from '@plinth/sdk';

export const ledgerPermissions = definePermissions('ledger', {
  'entries.view': { description: 'See the ledger and its reports', grantTo: ['admin', 'member'], units: true },
});

/** A gate the gated report's rows wait on after the first rows: the test opens it. */
export const gate = (() => {
  let open!: () => void;
  let opened = new Promise<void>((resolve) => (open = resolve));
  return {
    wait: () => opened,
    open: () => open(),
    reset() {
      opened = new Promise<void>((resolve) => (open = resolve));
    },
  };
})();

const createEntries = defineMigration({
  name: '001-create-entries',
  async up({ createTenantTable }) {
    await createTenantTable(
      'ledger_entries',
      (table) => {
        table.text('memo').notNullable();
        table.bigInteger('amount').notNullable();
        table.text('currency').notNullable().defaultTo('USD');
        table.date('day').notNullable();
        table.timestamp('booked_at', { useTz: true }).notNullable();
        table.boolean('cleared').notNullable().defaultTo(false);
        table.integer('share').notNullable().defaultTo(0);
      },
      { units: true },
    );
  },
  async down({ db }) {
    await db.schema.dropTable('ledger_entries');
  },
});

const columns = [
  { key: 'memo', label: 'Memo' },
  { key: 'amount', label: 'Amount', type: 'money', currencyKey: 'currency' },
  { key: 'day', label: 'Day', type: 'date' },
  { key: 'booked_at', label: 'Booked at', type: 'datetime' },
  { key: 'cleared', label: 'Cleared', type: 'boolean' },
  { key: 'share', label: 'Share', type: 'percent' },
] as const;

export const ledgerPlugin = definePlugin({
  name: 'ledger',
  version: '1.0.0',
  title: 'Ledger',
  description: 'Entries and their reports',
  category: 'finance',
  requires: { core: '>=0.1.0' },
  deps: { db: coreServices.db },
  permissions: ledgerPermissions,
  migrations: [createEntries],
  translations: {
    ar: {
      Ledger: 'الدفتر',
      'Entries and their reports': 'القيود وتقاريرها',
      'See the ledger and its reports': 'عرض الدفتر وتقاريره',
      'Ledger entries': 'قيود الدفتر',
      Memo: 'البيان',
      Amount: 'المبلغ',
      Day: 'اليوم',
      'Booked at': 'وقت القيد',
      Cleared: 'مسوّى',
      Share: 'النسبة',
    },
  },
  reports: ({ report }) => [
    report({
      name: 'ledger.entries',
      title: 'Ledger entries',
      description: 'Every entry from a day on',
      permission: ledgerPermissions['entries.view'],
      params: Type.Object(
        {
          from: Type.String({ format: 'date', default: '2000-01-01' }),
          to: Type.Optional(Type.String({ format: 'date' })),
          min_amount: Type.Integer({ minimum: 0, default: 0 }),
        },
        { additionalProperties: false },
      ),
      check(params) {
        if (params.to && params.to < params.from) throw new ValidationError({ to: ['must not be before from'] });
      },
      columns,
      async count({ params, deps }) {
        const [row] = await deps.db.query<{ n: number }>('select count(*)::int as n from ledger_entries where day >= $1 and amount >= $2', [
          params.from,
          params.min_amount,
        ]);
        return row!.n;
      },
      rows: ({ params, deps }) =>
        deps.db.stream(
          `select memo, amount, currency, to_char(day, 'YYYY-MM-DD') as day, booked_at, cleared, share from ledger_entries
            where day >= $1 and amount >= $2 order by day, memo`,
          [params.from, params.min_amount],
        ),
    }),
    report({
      name: 'ledger.gated',
      title: 'Gated rows',
      permission: ledgerPermissions['entries.view'],
      params: Type.Object({ before: Type.Integer({ minimum: 0, maximum: 1000 }), after: Type.Integer({ minimum: 0, maximum: 1000 }) }),
      formats: ['csv'],
      columns: [{ key: 'n', label: 'N', type: 'integer' }],
      count: async ({ params }) => params.before + params.after,
      async *rows({ params }) {
        for (let n = 1; n <= params.before; n++) yield { n };
        await gate.wait();
        for (let n = params.before + 1; n <= params.before + params.after; n++) yield { n };
      },
    }),
    report({
      name: 'ledger.broken',
      title: 'Broken',
      permission: ledgerPermissions['entries.view'],
      params: Type.Object({ mode: Type.Union([Type.Literal('sync'), Type.Literal('late'), Type.Literal('internal')]) }),
      columns: [{ key: 'n', label: 'N', type: 'integer' }],
      rows({ params }) {
        if (params.mode === 'sync') throw new ValidationError({ mode: ['the ledger is closed'] });
        return (async function* () {
          yield { n: 1 };
          yield { n: 2 };
          throw params.mode === 'late' ? new ValidationError({ mode: ['ran out of entries'] }) : new Error('relation "secret_table" does not exist');
        })();
      },
    }),
    report({
      name: 'ledger.series',
      title: 'Series',
      permission: ledgerPermissions['entries.view'],
      params: Type.Object({ rows: Type.Integer({ minimum: 1, maximum: 1_000_000 }), width: Type.Integer({ minimum: 0, maximum: 1000, default: 10 }) }),
      columns: [
        { key: 'n', label: 'N', type: 'integer' },
        { key: 'label', label: 'Label' },
      ],
      rows: ({ params, deps }) =>
        deps.db.stream("select g as n, 'row ' || g || ' ' || repeat('x', $2) as label from generate_series(1, $1) g", [params.rows, params.width], {
          batchSize: 2000,
        }),
    }),
  ],
});
