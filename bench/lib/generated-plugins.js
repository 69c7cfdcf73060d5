import { definePermissions, definePlugin, Type } from '@plinth/sdk';

/** Generated plugin number `index` (`gen-<index>`): 10 GET routes, a permission, a setting. */
export function generatedPlugin(index) {
  const name = `gen-${index}`;
  const permissions = definePermissions(name, { 'things.view': { description: 'View things', grantTo: ['member'] } });
  return definePlugin({
    name,
    version: '1.0.0',
    title: `Generated ${index}`,
    description: 'A generated plugin for the benchmark',
    category: 'bench',
    requires: { core: '>=0.1.0' },
    permissions,
    settings: Type.Object({ level: Type.Integer({ default: index }) }),
    routes: ({ route }) =>
      Array.from({ length: 10 }, (_, routeIndex) =>
        route({
          method: 'GET',
          path: `/things-${routeIndex}/:id`,
          summary: 'A thing',
          permission: permissions['things.view'],
          async handler({ ctx }) {
            return { level: ctx.settings.level };
          },
        }),
      ),
  });
}

/** `count` generated plugins, `gen-0` to `gen-<count - 1>`. */
export const generatedPlugins = (count) => Array.from({ length: count }, (_, index) => generatedPlugin(index));
