import { isPlinthError, RawReply, Reply, StreamReply } from '@plinth/sdk';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { CoreRoute } from './route.js';
import { addFormKeywords } from './form-keywords.js';
import { databaseErrorToPlinthError } from '../db/database-errors.js';
import { documentedStatuses, statusKeyword } from './response-schemas.js';
import { routeErrors } from './route-errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Its own ajv: no coercion, no defaults, nothing removed, so checking an answer never changes it. */
const ajv = addFormats(new Ajv({ allErrors: true, coerceTypes: false, useDefaults: false, removeAdditional: false }));
ajv.addVocabulary([statusKeyword]);
// A response schema may reuse an input schema carrying the SDK's form annotations.
addFormKeywords(ajv, { sanitize: false });

/** A route answered something other than what its response schema documents. */
export class ResponseMismatchError extends Error {
  override readonly name = 'ResponseMismatchError';
}

/** Checks one handler result; throws {@link ResponseMismatchError}. */
export type ReplyCheck = (result: unknown) => void;

/**
 * The check of a route's answers against its `response` schema (compiled now, so a schema ajv cannot compile
 * stops the boot naming the route), or undefined when the route declares none. The `data` is checked as the
 * client receives it (JSON round-tripped: a Date is a string), and the status must be one the schema documents.
 * Raw and streamed replies are not envelopes and are not checked.
 */
export function replyCheck(route: CoreRoute): ReplyCheck | undefined {
  const schema = route.schema?.response;
  if (!schema) return undefined;
  const where = `${route.plugin ? `plugin \`${route.plugin}\`: ` : ''}route ${route.method} ${route.path}`;
  let validate: ReturnType<Ajv['compile']>;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new Error(`${where} has a response schema that cannot be compiled: ${(error as Error).message}`, { cause: error });
  }
  const statuses = documentedStatuses(schema);
  return (result) => {
    if (result instanceof RawReply || result instanceof StreamReply) return;
    const status = result instanceof Reply ? result.status : 200;
    if (!statuses.includes(status)) {
      throw new ResponseMismatchError(
        `${where} answered ${status}, but its response schema documents ${statuses.join(', ')} (declare it with \`withStatus(schema, ${status})\` from @plinth/sdk)`,
      );
    }
    if (status === 204) return;
    const data = result instanceof Reply ? result.data : result;
    const sent: unknown = data === undefined ? undefined : JSON.parse(JSON.stringify(data));
    if (!validate(sent)) {
      throw new ResponseMismatchError(`${where} answered data that does not match its response schema: ${describe(validate.errors ?? [])}`);
    }
  };
}

/** Checks one error a handler threw; throws {@link ResponseMismatchError} when its code is not the route's to answer. */
export type ErrorCheck = (error: unknown) => void;

/**
 * The check of a route's error answers against the codes it documents (declared in `errors` or derived by the kernel,
 * see {@link routeErrors}). A database error is checked as the answer it becomes; anything that is not a client
 * error is `internal_error`, always allowed.
 */
export function errorCheck(route: CoreRoute): ErrorCheck {
  const codes = new Set(routeErrors(route).map((error) => error.code));
  const where = `${route.plugin ? `plugin \`${route.plugin}\`: ` : ''}route ${route.method} ${route.path}`;
  return (error) => {
    const answer = isPlinthError(error) ? error : databaseErrorToPlinthError(error);
    if (!answer || codes.has(answer.code)) return;
    throw new ResponseMismatchError(
      `${where} answered ${answer.status} ${answer.code}, which it does not document (list it in the route's \`errors\`): ${answer.message}`,
      { cause: error },
    );
  };
}

function describe(errors: readonly ErrorObject[]): string {
  return errors
    .slice(0, 10)
    .map(
      (error) =>
        `data${error.instancePath} ${error.message ?? 'is invalid'}${error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty: string }).additionalProperty)})` : ''}`,
    )
    .join('; ');
}
