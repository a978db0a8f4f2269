import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { defaultAnswerText, splitTokens } from './simulator-conversation.js';
import { embeddingAsCall, simulatedEmbeddings } from './simulated-embedding.js';
import type {
  Fault,
  FaultType,
  ParsedCall,
  RecordedRequest,
  SimulatedAnswer,
  SimulatedErrorKind,
  Simulator,
  SimulatorDialect,
  SimulatorOptions,
} from './simulator-types.js';

export { contentText, defaultAnswerText, readConversation, splitTokens } from './simulator-conversation.js';
export type * from './simulator-types.js';

function countWords(text: string): number {
  return Math.max(1, splitTokens(text).length);
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
  seen: number;
}

/** A small seeded generator (mulberry32): the same seed gives the same draws. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function errorKindOf(fault: Fault): { kind: SimulatedErrorKind; status: number } | undefined {
  switch (fault.type) {
    case 'rate_limit':
    case 'rate_limit_persistent':
      return { kind: 'rate_limit', status: 429 };
    case 'server_error':
      return { kind: 'server_error', status: fault.status ?? 500 };
    case 'overloaded':
      return { kind: 'overloaded', status: fault.status ?? 503 };
    case 'context_length':
      return { kind: 'context_length', status: 400 };
    case 'content_filter':
      return { kind: 'content_filter', status: 400 };
    case 'prefill_rejected':
      return { kind: 'prefill_rejected', status: 400 };
    case 'auth':
      return { kind: 'auth', status: 401 };
    case 'not_found':
      return { kind: 'not_found', status: 404 };
    case 'bad_request':
      return { kind: 'bad_request', status: 400 };
    default:
      return undefined;
  }
}

const errorMessages: Record<SimulatedErrorKind, string> = {
  rate_limit: 'Rate limit reached for requests. Please try again later.',
  server_error: 'The server had an error while processing your request.',
  overloaded: 'The engine is currently overloaded, please try again later.',
  context_length:
    "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
  content_filter: 'The response was filtered due to the prompt triggering content management policy.',
  prefill_rejected:
    'This model does not support assistant message prefill. The conversation must end with a user message.',
  auth: 'Incorrect API key provided.',
  not_found: 'The model does not exist or you do not have access to it.',
  bad_request: "Invalid value for 'temperature': expected a number between 0 and 2.",
};

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * Starts a simulator for one dialect on node:http (not Fastify: the bench needs the upstream to be
 * much faster than the client under test). Deterministic: same request and faults, same bytes.
 */
export async function startSimulatorServer(
  dialect: SimulatorDialect,
  options: SimulatorOptions = {},
): Promise<Simulator> {
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  const record = options.record ?? true;
  const tokenDelayMs = options.tokenDelayMs ?? 0;
  const answerText = options.answer ?? defaultAnswerText;
  let faults: ActiveFault[] = [];
  const served = new Map<FaultType, number>();
  let callCounter = 0;
  let closed = false;
  let disconnects = 0;
  const random = seededRandom(options.seed ?? 1);
  /** Responses the simulator itself cuts (faults): not counted as the client leaving. */
  const cutBySimulator = new WeakSet<ServerResponse>();

  const setFaults = (next: Fault[]) => {
    faults = next.map((fault) => ({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY, seen: 0 }));
  };
  setFaults(options.faults ?? []);

  const takeFault = (call: ParsedCall): Fault | undefined => {
    for (const active of faults) {
      if (active.remaining <= 0) continue;
      if (active.fault.type === 'prefill_rejected' && !call.hasPrefill) continue;
      if (active.fault.type === 'slow_first_token' && random() >= (active.fault.probability ?? 1)) continue;
      active.remaining -= 1;
      active.seen += 1;
      if (active.fault.type === 'flapping' && active.seen % 2 === 0) return undefined;
      served.set(active.fault.type, (served.get(active.fault.type) ?? 0) + 1);
      return active.fault;
    }
    return undefined;
  };

  /** Resolves after `ms`, or early (false) when the response closes, so no timer outlives a socket. */
  const wait = (response: ServerResponse, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (response.destroyed || closed) {
        resolve(false);
        return;
      }
      const onClose = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        response.off('close', onClose);
        resolve(true);
      }, ms);
      response.once('close', onClose);
    });

  const holdUntilClosed = (response: ServerResponse): Promise<void> =>
    new Promise((resolve) => {
      if (response.destroyed) resolve();
      else response.once('close', () => resolve());
    });

  const writeJson = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    // A string body is written raw: dialects answer some faults with a 200 SSE body (e.g. a streamed refusal).
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...headers,
    });
    response.end(payload);
  };

  const buildAnswer = (call: ParsedCall): SimulatedAnswer => {
    callCounter += 1;
    const full = answerText(call);
    let text = full;
    if (call.partial !== undefined && full.startsWith(call.partial)) text = full.slice(call.partial.length);
    const toolCall =
      call.toolName && call.partial === undefined
        ? {
            id: `call_sim_${callCounter}`,
            name: call.toolName,
            arguments: JSON.stringify({ query: call.prompt.slice(0, 40) }),
          }
        : undefined;
    const tokens = toolCall ? [] : splitTokens(text);
    return {
      id: `${dialect.name}-sim-${callCounter}`,
      model: call.model,
      created: 1_700_000_000 + callCounter,
      tokens,
      text: toolCall ? '' : text,
      promptTokens: countWords(call.promptText),
      completionTokens: toolCall ? countWords(toolCall.arguments) : tokens.length,
      toolCall,
      finishReason: toolCall ? 'tool_calls' : 'stop',
    };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const raw = await readBody(request);
    let body: unknown;
    try {
      body = raw ? (JSON.parse(raw) as unknown) : undefined;
    } catch {
      body = undefined;
    }
    const path = request.url ?? '/';
    if (record)
      requests.push({ method: request.method ?? 'GET', path, headers: { ...request.headers }, body });
    const embeddingCall = dialect.embeddings?.parseEmbeddingCall(request.method ?? 'GET', path, body);
    const call = embeddingCall
      ? embeddingAsCall(embeddingCall)
      : dialect.parseCall(request.method ?? 'GET', path, body);
    if (!call) {
      const notFound = dialect.errorResponse('not_found', 404, `No route for ${request.method} ${path}`);
      writeJson(response, notFound.status, notFound.body, notFound.headers);
      return;
    }
    const fault = takeFault(call);
    let limitHeaders = dialect.rateLimitHeaders(10_000, 1);

    if (fault) {
      if (fault.type === 'reset_before_headers') {
        cutBySimulator.add(response);
        request.socket.destroy();
        return;
      }
      if (fault.type === 'no_response' || (fault.type === 'stall_after_tokens' && !call.stream)) {
        await holdUntilClosed(response);
        return;
      }
      if (fault.type === 'rate_limit_headers_zero')
        limitHeaders = dialect.rateLimitHeaders(0, fault.resetSeconds);
      const errorKind =
        fault.type === 'flapping' ? { kind: 'server_error' as const, status: 500 } : errorKindOf(fault);
      if (errorKind) {
        const retryAfterSeconds = fault.type === 'rate_limit' ? (fault.retryAfterSeconds ?? 1) : undefined;
        const error = dialect.errorResponse(
          errorKind.kind,
          errorKind.status,
          errorMessages[errorKind.kind],
          retryAfterSeconds,
        );
        const headers: Record<string, string> = { ...limitHeaders, ...error.headers };
        if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
        writeJson(response, error.status, error.body, headers);
        return;
      }
    }

    const answer = buildAnswer(call);
    if (fault?.type === 'content_filter_after_tokens') {
      answer.tokens = answer.tokens.slice(0, fault.tokens);
      answer.text = answer.tokens.join('');
      answer.completionTokens = answer.tokens.length;
      answer.toolCall = undefined;
      answer.finishReason = 'content_filter';
    }
    const firstTokenDelay =
      fault?.type === 'slow_first_token' ? fault.delayMs + random() * (fault.jitterMs ?? 0) : 0;
    if (!call.stream) {
      if (firstTokenDelay > 0 && !(await wait(response, firstTokenDelay))) return;
      const payload = JSON.stringify(
        embeddingCall
          ? dialect.embeddings?.embeddingBody(embeddingCall, simulatedEmbeddings(embeddingCall))
          : dialect.completionBody(answer),
      );
      if (fault?.type === 'cut_after_tokens') {
        response.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...limitHeaders,
        });
        response.write(payload.slice(0, Math.floor(payload.length / 2)));
        cutBySimulator.add(response);
        response.destroy();
        return;
      }
      if (fault?.type === 'malformed_chunk') {
        response.writeHead(200, { 'content-type': 'application/json', ...limitHeaders });
        response.end(payload.slice(0, Math.floor(payload.length / 2)));
        return;
      }
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        ...limitHeaders,
      });
      response.end(payload);
      return;
    }

    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...limitHeaders,
    });
    response.flushHeaders();
    for (const frame of dialect.streamStart(answer)) response.write(frame);
    if (firstTokenDelay > 0 && !(await wait(response, firstTokenDelay))) return;

    const stopAt =
      fault?.type === 'cut_after_tokens' || fault?.type === 'stall_after_tokens'
        ? fault.tokens
        : fault?.type === 'malformed_chunk' || fault?.type === 'in_band_error'
          ? fault.afterTokens
          : Number.POSITIVE_INFINITY;

    if (answer.toolCall) {
      for (const frame of dialect.streamToolCall(answer)) response.write(frame);
    }
    for (let index = 0; index < answer.tokens.length && index < stopAt; index += 1) {
      if (index > 0 && tokenDelayMs > 0 && !(await wait(response, tokenDelayMs))) return;
      if (response.destroyed) return;
      response.write(dialect.streamToken(answer, answer.tokens[index] ?? '', index));
    }
    switch (fault?.type) {
      case 'cut_after_tokens':
        cutBySimulator.add(response);
        // Let the written tokens leave before the reset, as a real mid-stream cut does.
        response.once('drain', () => response.destroy());
        if (!response.writableNeedDrain) setImmediate(() => response.destroy());
        return;
      case 'stall_after_tokens':
        await holdUntilClosed(response);
        return;
      case 'malformed_chunk':
        response.end(dialect.malformedFrame());
        return;
      case 'in_band_error':
        response.end(dialect.streamError(answer, errorMessages.server_error));
        return;
      case 'no_terminator':
        response.end();
        return;
      default:
        for (const frame of dialect.streamEnd(answer)) response.write(frame);
        response.end();
    }
  };

  const server: Server = createServer((request, response) => {
    response.once('close', () => {
      if (!response.writableFinished && !closed && !cutBySimulator.has(response)) disconnects += 1;
    });
    handle(request, response).catch(() => {
      if (!response.headersSent) writeJson(response, 500, { error: { message: 'simulator failure' } });
      else {
        cutBySimulator.add(response);
        response.destroy();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  let accepted = 0;
  server.on('connection', (socket: Socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFaults,
    reset() {
      setFaults([]);
      requests.length = 0;
    },
    faultsServed: (type) => served.get(type) ?? 0,
    clientDisconnects: () => disconnects,
    connectionsAccepted: () => accepted,
    async close() {
      closed = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}

/** Formats one SSE frame: optional `event:` line, `data:` line, blank line. */
export function sseFrame(data: string, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${data}\n\n`;
}
