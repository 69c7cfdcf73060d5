import { describe, expect, it } from 'vitest';
import { createCloser } from '../../src/lifecycle/closer.js';

describe('the close stack', () => {
  it('closes what was opened in reverse order', async () => {
    const closed: string[] = [];
    const closer = createCloser();
    for (const name of ['embedded PostgreSQL', 'database pool', 'cache', 'write-behind', 'job system', 'HTTP server'])
      closer.defer(name, () => void closed.push(name));
    expect(closer.open).toEqual(['HTTP server', 'job system', 'write-behind', 'cache', 'database pool', 'embedded PostgreSQL']);
    await closer.close();
    expect(closed).toEqual(['HTTP server', 'job system', 'write-behind', 'cache', 'database pool', 'embedded PostgreSQL']);
    expect(closer.open).toEqual([]);
  });

  it('waits for each close before the next', async () => {
    const events: string[] = [];
    const closer = createCloser();
    closer.defer('pool', () => void events.push('pool closed'));
    closer.defer('server', async () => {
      events.push('server closing');
      await Promise.resolve();
      await Promise.resolve();
      events.push('server closed');
    });
    await closer.close();
    expect(events).toEqual(['server closing', 'server closed', 'pool closed']);
  });

  it('closes once: a second call gets the same promise', async () => {
    let closes = 0;
    const closer = createCloser();
    closer.defer('pool', () => void closes++);
    const first = closer.close();
    expect(closer.close()).toBe(first);
    await first;
    await closer.close();
    expect(closes).toBe(1);
  });

  it('runs the rest when one close fails, reports it by name, and rejects with it at the end', async () => {
    const closed: string[] = [];
    const reported: [string, unknown][] = [];
    const closer = createCloser({ onError: (name, error) => reported.push([name, error]) });
    const failure = new Error('pool would not end');
    closer.defer('embedded PostgreSQL', () => void closed.push('embedded PostgreSQL'));
    closer.defer('database pool', () => Promise.reject(failure));
    closer.defer('cache', () => void closed.push('cache'));
    await expect(closer.close()).rejects.toBe(failure);
    expect(closed).toEqual(['cache', 'embedded PostgreSQL']);
    expect(reported).toEqual([['database pool', failure]]);
  });

  it('closes what is opened while it closes (a start racing a stop), after the rest', async () => {
    const closed: string[] = [];
    const closer = createCloser();
    let opened!: () => void;
    const late = new Promise<void>((resolve) => (opened = resolve));
    closer.defer('pool', () => void closed.push('pool'));
    const closing = closer.close();
    await closing;
    closer.defer('server', () => {
      closed.push('server');
      opened();
    });
    await late;
    expect(closed).toEqual(['pool', 'server']);
    expect(closer.open).toEqual([]);
  });
});
