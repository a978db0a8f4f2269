import type { FastifyReply } from 'fastify';
import { ClientClosedRequestError } from '../errors.js';

/**
 * Runs a non-streaming upstream call with a signal that aborts when the client leaves, so nobody pays for an
 * answer nobody reads. It listens to the response's close, not the request's (which fires once the body was read).
 */
export async function abortOnClientClose<T>(
  reply: FastifyReply,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
  };
  reply.raw.once('close', onClose);
  try {
    return await call(controller.signal);
  } catch (error) {
    // The upstream call was aborted because the client left: not a gateway failure.
    if (controller.signal.aborted) throw new ClientClosedRequestError();
    throw error;
  } finally {
    reply.raw.off('close', onClose);
  }
}
