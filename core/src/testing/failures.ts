import type { TestKernel } from './test-kernel.js';

/**
 * Makes the first transaction of tenant `tenantId` that emits `event` fail at that point, as a crash would: the
 * handler or job that emitted it rolls back (its notifications and mails with it) and runs again, so a test can check
 * that the retry does not repeat what the first try did. A sequence counts the tries (sequences ignore rollbacks).
 * Answers a function that removes the trap and says how many tries there were. One trap at a time.
 *
 * @example
 * ```ts
 * const tries = await failFirstEvent(t, owner.tenant!.id, 'shop.order.paid');
 * // … pay the order, drain the jobs …
 * expect(await tries()).toBe(2);
 * ```
 */
export async function failFirstEvent(t: TestKernel, tenantId: string, event: string): Promise<() => Promise<number>> {
  await t.sql('create sequence test_fail_first');
  await t.sql(
    `create function test_fail_first() returns trigger language plpgsql security definer as $$
     begin
       if new.tenant_id = ${literal(tenantId)} and new.name = ${literal(event)} and nextval('test_fail_first') = 1 then
         raise exception 'test: the first try fails';
       end if;
       return new;
     end $$`,
  );
  await t.sql('create trigger test_fail_first before insert on plinth_events for each row execute function test_fail_first()');
  return async () => {
    const [row] = await t.sql<{ tries: string }>('select last_value as tries from test_fail_first');
    await t.sql('drop trigger test_fail_first on plinth_events');
    await t.sql('drop function test_fail_first()');
    await t.sql('drop sequence test_fail_first');
    return Number(row!.tries);
  };
}

/** A SQL string literal (a function body takes no parameters). */
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;
