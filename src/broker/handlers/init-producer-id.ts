import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  InitProducerIdRequest,
  InitProducerIdResponse,
} from '../../protocol/messages/generated/init-producer-id.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/**
 * InitProducerId (key 22), v0-5, for idempotent producers: a fresh producer id with epoch 0.
 * Ids come in blocks claimed from the coordination store, so they never repeat, even across
 * restarts and brokers.
 *
 * Transactional ids need the transaction coordinator, which Samsa does not have yet: such
 * requests are refused with a non-retriable error rather than half served.
 */
async function handleInitProducerId(ctx: RequestContext, req: InitProducerIdRequest): Promise<InitProducerIdResponse> {
  const s = fullServices(ctx);
  if (req.transactionalId != null) {
    ctx.logger.warn(
      `InitProducerId for transactional id '${req.transactionalId}' refused: transactions are not supported yet`,
    );
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      producerId: -1,
      producerEpoch: -1,
    };
  }
  const producerId = await s.producerIds.generateProducerId();
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
}

export const initProducerId = defineHandler(ApiKey.InitProducerId, 0, 5, handleInitProducerId);
