import { coreServices, type PluginBuilders, type Static } from '@plinth/sdk';
import type { HelloSettings } from './settings.js';

/** The services Hello's handlers receive: the only ones they may use. */
export const deps = { db: coreServices.db, events: coreServices.events };

/** The typed builders handed to Hello's routes. */
export type Builders = PluginBuilders<typeof deps, Static<typeof HelloSettings>>;
