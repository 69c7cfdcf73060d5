/** The units tree as the console builds it from `GET /units` (web/src/units-data.ts), and who may do what (session.ts). */
import { describe, expect, it } from 'vitest';
import { permitsAnywhere } from '../web/src/session.js';
import { subtreeOf, unitsWhere, unitTree, type Unit } from '../web/src/units-data.js';

const unit = (id: string, parent: string | null, name = id): Unit => ({
  id,
  parent_id: parent,
  name,
  kind: 'unit',
  path: [name],
  label: name,
  depth: 0,
  children: 0,
});

describe('unitTree', () => {
  it('groups units under their parents, siblings by name, the top under ""', () => {
    const tree = unitTree([unit('s', null, 'Science'), unit('a', null, 'Arts'), unit('p', 's', 'Physics'), unit('c', 's', 'Chemistry')]);
    expect(tree.get('')!.map((item) => item.name)).toEqual(['Arts', 'Science']);
    expect(tree.get('s')!.map((item) => item.name)).toEqual(['Chemistry', 'Physics']);
    expect(tree.has('a')).toBe(false);
  });

  it('puts at the top the units whose parent the caller does not see (a college admin’s college)', () => {
    const tree = unitTree([unit('s', 'university', 'Science'), unit('p', 's', 'Physics')]);
    expect(tree.get('')!.map((item) => item.name)).toEqual(['Science']);
    expect(tree.get('s')!.map((item) => item.name)).toEqual(['Physics']);
  });

  it('gives a unit with everything below it, at any depth', () => {
    const tree = unitTree([unit('s', null), unit('p', 's'), unit('q', 'p'), unit('a', null)]);
    expect([...subtreeOf(tree, 's')].sort()).toEqual(['p', 'q', 's']);
    expect([...subtreeOf(tree, 'a')]).toEqual(['a']);
  });
});

describe('unitsWhere', () => {
  const tree = unitTree([unit('s', null), unit('p', 's'), unit('c', 's'), unit('a', null), unit('h', 'a')]);
  it('is every unit (undefined) for a permission held for the whole tenant', () => {
    expect(unitsWhere({ permissions: ['core.*'], unitPermissions: [] }, tree, 'core.units.manage')).toBeUndefined();
  });

  it('is the units a role grants it in, and those below them', () => {
    const held = {
      permissions: ['core.units.view'],
      unitPermissions: [
        { unit_id: 's', permissions: ['core.units.manage'] },
        { unit_id: 'h', permissions: ['core.units.view'] },
      ],
    };
    expect([...unitsWhere(held, tree, 'core.units.manage')!].sort()).toEqual(['c', 'p', 's']);
  });
});

describe('permitsAnywhere', () => {
  it('counts a permission held for the whole tenant or in any unit, wildcards included', () => {
    const held = { permissions: ['core.units.view'], unitPermissions: [{ unit_id: 's', permissions: ['lms.*'] }] };
    expect(permitsAnywhere(held, 'core.units.view')).toBe(true);
    expect(permitsAnywhere(held, 'lms.courses.manage')).toBe(true);
    expect(permitsAnywhere(held, 'core.members.manage')).toBe(false);
    expect(permitsAnywhere({ permissions: [], unitPermissions: [] }, 'core.units.view')).toBe(false);
  });
});
