/**
 * The context-window lookup of a vendor whose model ids start with a family prefix: the first prefix that
 * matches wins, so a table lists the more specific prefix first. Unknown models have no known window.
 */
export function contextWindowByPrefix(
  windows: ReadonlyArray<readonly [prefix: string, tokens: number]>,
): (model: string) => number | undefined {
  return (model) => windows.find(([prefix]) => model.startsWith(prefix))?.[1];
}
