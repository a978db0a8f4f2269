/** Fields compared between two analyses of one site. */
export interface ComparableAnalysis {
  title?: string | undefined;
  metaDescription?: string | undefined;
  h1?: string[];
  canonical?: string | undefined;
  robots?: string | undefined;
  wordCount?: number;
  linkCount?: number;
  status?: number;
  tone?: string;
  audience?: string;
  topics?: string[];
}

/** What changed since the previous analysis: `first` when there was none. */
export interface AnalysisChanges {
  first: boolean;
  changed: Record<string, { before: unknown; after: unknown }>;
  previousAnalysedAt?: string;
}

// Small word-count or link drifts are noise on any live page; report changes beyond 10%.
const relativeThreshold = 0.1;

function differs(before: unknown, after: unknown): boolean {
  if (typeof before === 'number' && typeof after === 'number') {
    return Math.abs(after - before) > Math.max(1, Math.abs(before) * relativeThreshold);
  }
  return JSON.stringify(before ?? null) !== JSON.stringify(after ?? null);
}

/** Compares the current analysis with the previous one, field by field. */
export function pageChanges(
  previous: ComparableAnalysis | undefined,
  current: ComparableAnalysis,
  previousAnalysedAt?: Date,
): AnalysisChanges {
  if (previous === undefined) return { first: true, changed: {} };
  const changed: AnalysisChanges['changed'] = {};
  for (const key of Object.keys(current) as Array<keyof ComparableAnalysis>) {
    if (differs(previous[key], current[key]))
      changed[key] = { before: previous[key] ?? null, after: current[key] ?? null };
  }
  return {
    first: false,
    changed,
    ...(previousAnalysedAt === undefined ? {} : { previousAnalysedAt: previousAnalysedAt.toISOString() }),
  };
}
