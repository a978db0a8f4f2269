import type { ChatContentPart, ChatMessage, ChatToolCall } from '../../chat-types.js';
import { contentToText } from './content-text.js';
import { invalidRequest } from './invalid-request.js';
import { parseToolArguments } from './tool-arguments.js';

/** How a vendor writes each piece of an OpenAI conversation as one block (content block, part) of its own. */
export interface TurnBlockWriter<Block> {
  /** A text or image part of a user message (a string content is one text part). */
  userPart(part: ChatContentPart): Block;
  /** The text of an assistant message, when it has any. */
  assistantText(text: string): Block;
  /** A tool call of an assistant message, its arguments parsed into an object. */
  toolCall(call: ChatToolCall, input: Record<string, unknown>): Block;
  /** A tool message: the result of an earlier call. */
  toolResult(message: ChatMessage): Block;
}

/** One turn of a conversation whose roles alternate: the blocks of consecutive messages of one role. */
export interface AlternatingTurn<Block> {
  role: 'user' | 'assistant';
  blocks: Block[];
}

function userBlocks<Block>(content: ChatMessage['content'], writer: TurnBlockWriter<Block>): Block[] {
  if (content === null) return [];
  if (typeof content === 'string')
    return content === '' ? [] : [writer.userPart({ type: 'text', text: content })];
  return content.map((part) => writer.userPart(part));
}

function assistantBlocks<Block>(
  message: ChatMessage,
  provider: string,
  writer: TurnBlockWriter<Block>,
): Block[] {
  if (Array.isArray(message.content) && message.content.some((part) => part.type !== 'text')) {
    throw invalidRequest(provider, 'assistant messages can only hold text');
  }
  const blocks: Block[] = [];
  const text = contentToText(message.content);
  if (text !== '') blocks.push(writer.assistantText(text));
  for (const call of message.tool_calls ?? []) {
    blocks.push(writer.toolCall(call, parseToolArguments(call.function.arguments, provider)));
  }
  return blocks;
}

/**
 * Splits an OpenAI conversation for a vendor that takes the system prompt apart and wants user and assistant
 * turns to alternate (Anthropic, Gemini): system and developer messages join into one prompt, tool results
 * belong to the user's turn, consecutive messages of one role merge, and a message without blocks is left out.
 * A trailing assistant message stays the last turn, for the vendor to continue.
 */
export function toAlternatingTurns<Block>(
  messages: ChatMessage[],
  provider: string,
  writer: TurnBlockWriter<Block>,
): { system: string | undefined; turns: Array<AlternatingTurn<Block>> } {
  const system: string[] = [];
  const turns: Array<AlternatingTurn<Block>> = [];
  for (const message of messages) {
    let role: AlternatingTurn<Block>['role'];
    let blocks: Block[];
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(contentToText(message.content));
        continue;
      case 'user':
        role = 'user';
        blocks = userBlocks(message.content, writer);
        break;
      case 'assistant':
        role = 'assistant';
        blocks = assistantBlocks(message, provider, writer);
        break;
      case 'tool':
        role = 'user';
        blocks = [writer.toolResult(message)];
        break;
      default:
        // A role OpenAI does not define carries nothing these vendors could take.
        continue;
    }
    if (blocks.length === 0) continue;
    const previous = turns.at(-1);
    if (previous?.role === role) previous.blocks.push(...blocks);
    else turns.push({ role, blocks });
  }
  return { system: system.length > 0 ? system.join('\n\n') : undefined, turns };
}
