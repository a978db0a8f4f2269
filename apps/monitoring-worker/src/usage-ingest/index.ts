export { createUsageIngester, type UsageIngester, type UsageIngesterOptions } from './usage-ingester.js';
export { ingestBatch, type IngestOutcome } from './ingest-batch.js';
export { createUsageBatchWriter, type UsageBatchWriter, type UsageEntry } from './write-usage-batch.js';
export { summarizeUsage, usagePeriod, type UsageSummaryDelta } from './summarize-usage.js';
