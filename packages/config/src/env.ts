/** The raw process environment. This is the only module in the workspace that reads `process.env`. */
export function readProcessEnv(): Record<string, string | undefined> {
  return process.env;
}
