import { randomBytes } from 'node:crypto';

/** An id in OpenAI's style (`resp_...`, `msg_...`, `fc_...`): a prefix and 48 random hex digits. */
export function newResponseId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}
