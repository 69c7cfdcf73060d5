import { Type } from '@plinth/sdk';

/** Each tenant's Hello settings. */
export const HelloSettings = Type.Object(
  {
    salutation: Type.String({ minLength: 1, maxLength: 40, default: 'Hello', description: 'How the greeting starts' }),
  },
  { additionalProperties: false },
);
