/**
 * Splits a server-sent-events byte stream into the `data:` payloads of its events. Feed it decoded text as it
 * arrives; it keeps a partial event until its blank line comes.
 */
export function createSseParser(): { push(text: string): string[]; flush(): string[] } {
  let buffer = '';
  const payloadsOf = (block: string) => {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''));
    return data.length > 0 ? [data.join('\n')] : [];
  };
  return {
    push(text) {
      buffer += text;
      const blocks = buffer.split(/\r?\n\r?\n/);
      buffer = blocks.pop() ?? '';
      return blocks.flatMap(payloadsOf);
    },
    flush() {
      const rest = buffer;
      buffer = '';
      return payloadsOf(rest);
    },
  };
}
