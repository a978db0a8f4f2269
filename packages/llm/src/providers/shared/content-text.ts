import type { ChatMessage } from '../../chat-types.js';

/** Joins the text of a message's content, ignoring other parts (images are the caller's to handle before). */
export function contentToText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}
