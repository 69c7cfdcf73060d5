import { describe, expect, it } from 'vitest';
import { actingUserId, isUniqueViolation, likePattern, listPage, safeEqual, type TenantDb } from '../src/index.js';

describe('likePattern', () => {
  it('escapes backslash, percent and underscore and wraps the text for contains', () => {
    expect(likePattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });

  it('only appends the wildcard for prefix', () => {
    expect(likePattern('ab_', { match: 'prefix' })).toBe('ab\\_%');
  });
});

describe('isUniqueViolation', () => {
  const violation = Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'tags_name_key' });

  it('recognises the unique violation, on any or on the named constraint', () => {
    expect(isUniqueViolation(violation)).toBe(true);
    expect(isUniqueViolation(violation, 'tags_name_key')).toBe(true);
    expect(isUniqueViolation(violation, 'other_key')).toBe(false);
  });

  it('walks the cause chain (a wrapped driver error)', () => {
    expect(isUniqueViolation(new Error('insert failed', { cause: new Error('query failed', { cause: violation }) }), 'tags_name_key')).toBe(true);
  });

  it('is false for other errors and for non-errors, and stops on a cyclic cause', () => {
    const cyclic = new Error('loop') as Error & { cause?: unknown };
    cyclic.cause = cyclic;
    for (const error of [Object.assign(new Error('fk'), { code: '23503' }), null, undefined, 'boom', 23505, cyclic]) {
      expect(isUniqueViolation(error)).toBe(false);
    }
  });
});

describe('safeEqual', () => {
  it('is true only for the same string', () => {
    expect(safeEqual('s3cret', 's3cret')).toBe(true);
    expect(safeEqual('s3cret', 's3creT')).toBe(false);
    expect(safeEqual('s3cret', 's3cre')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});

describe('actingUserId', () => {
  it('is the user, or the user of an API token, else null', () => {
    expect(actingUserId({ caller: { kind: 'user', userId: 'u1' } })).toBe('u1');
    expect(actingUserId({ caller: { kind: 'api-token', tokenId: 't1', userId: 'u2' } })).toBe('u2');
    expect(actingUserId({ caller: { kind: 'api-token', tokenId: 't1', userId: null } })).toBeNull();
    expect(actingUserId({ caller: { kind: 'anonymous' } })).toBeNull();
  });
});

describe('listPage', () => {
  /** A db that records the statements and answers the page query with `pageRows` rows and the count with `total`. */
  function fakeDb(pageRows: number, total: number) {
    const statements: { text: string; values: readonly unknown[] }[] = [];
    const db: Pick<TenantDb, 'query'> = {
      async query<Row>(text: string, values: readonly unknown[] = []): Promise<Row[]> {
        statements.push({ text, values });
        const rows = text.startsWith('select count(*)') ? [{ total }] : Array.from({ length: pageRows }, (_, index) => ({ id: index }));
        return rows as Row[];
      },
    };
    return { db, statements };
  }

  it('appends limit and offset after the values and counts over the same from and where', async () => {
    const { db, statements } = fakeDb(10, 42);
    const page = await listPage(
      db,
      { select: 'id', from: 't', where: ['a = $1', 'b = $2 or c = $2'], orderBy: 'id', values: ['x', 'y'] },
      { page: 2, per_page: 10 },
    );
    expect(page).toEqual({ items: expect.any(Array), total: 42 });
    expect(statements).toEqual([
      { text: 'select id from t where (a = $1) and (b = $2 or c = $2) order by id limit $3 offset $4', values: ['x', 'y', 10, 10] },
      { text: 'select count(*)::int as total from t where (a = $1) and (b = $2 or c = $2)', values: ['x', 'y'] },
    ]);
  });

  it('reads the total off a short page without counting', async () => {
    const { db, statements } = fakeDb(3, 999);
    expect((await listPage(db, { select: 'id', from: 't', orderBy: 'id' }, { page: 3, per_page: 10 })).total).toBe(23);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.text).toBe('select id from t order by id limit $1 offset $2');
  });

  it('counts over countFrom when given (joins that cannot change the total are left out)', async () => {
    const { db, statements } = fakeDb(10, 42);
    await listPage(
      db,
      { select: 'e.id, s.n', from: 'e left join lateral (select 1 as n) s on true', countFrom: 'e', where: 'e.k = $1', orderBy: 'e.id', values: [1] },
      { page: 1, per_page: 10 },
    );
    expect(statements[1]).toEqual({ text: 'select count(*)::int as total from e where e.k = $1', values: [1] });
  });

  it('counts when the page is past the end', async () => {
    const { db, statements } = fakeDb(0, 5);
    expect(await listPage(db, { select: 'id', from: 't', where: '', orderBy: 'id' }, { page: 9, per_page: 10 })).toEqual({ items: [], total: 5 });
    expect(statements).toHaveLength(2);
  });
});
