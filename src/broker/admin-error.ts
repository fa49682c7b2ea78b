/**
 * The outcome vocabulary of topic and config administration (TopicService, config resources).
 *
 * Admin requests are answered per topic or per resource with a Kafka error code and message, as
 * Kafka's AdminManager does, so the admin services already speak in those codes: an `AdminError`
 * is thrown by a validation step and caught once per topic/resource, where it becomes that
 * entry's `{ errorCode, errorMessage }`. Anything else thrown there is a bug or a store failure
 * and is answered with UNKNOWN_SERVER_ERROR (and logged).
 */
import { ErrorCode } from '../protocol/error-codes.ts';

export class AdminError extends Error {
  /** The Kafka error code the client gets. */
  readonly errorCode: number;
  /** The message the client gets; null when Kafka sends none for this case. */
  readonly errorMessage: string | null;

  constructor(errorCode: number, errorMessage: string | null) {
    super(errorMessage ?? `error ${errorCode}`);
    this.name = 'AdminError';
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
  }
}

/** An entry's error: NONE with a null message when all went well. */
export interface AdminOutcome {
  errorCode: number;
  errorMessage: string | null;
}

export const ADMIN_OK: Readonly<AdminOutcome> = Object.freeze({ errorCode: ErrorCode.NONE, errorMessage: null });

/** ConfigResource.Type ids (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs). */
export const ConfigResourceType = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;

/** Kafka's name of a resource type id, as its messages print it. */
export function resourceTypeName(id: number): string {
  for (const [name, value] of Object.entries(ConfigResourceType)) if (value === id) return name;
  return 'UNKNOWN';
}

/** IncrementalAlterConfigs operation ids (AlterConfigOp.OpType). */
export const AlterConfigOpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
