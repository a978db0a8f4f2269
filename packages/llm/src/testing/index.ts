export {
  contentText,
  defaultAnswerText,
  readConversation,
  splitTokens,
  sseFrame,
  startSimulatorServer,
  type Fault,
  type FaultType,
  type EmbeddingDialect,
  type ParsedCall,
  type ParsedEmbeddingCall,
  type RecordedRequest,
  type SimulatedAnswer,
  type SimulatedErrorKind,
  type SimulatedResponse,
  type Simulator,
  type SimulatorDialect,
  type SimulatorOptions,
} from './simulator-server.js';
export { openAIDialect, startOpenAISimulator } from './openai-simulator.js';
export { continueInstruction } from '../continuation.js';
export { anthropicDialect, startAnthropicSimulator } from './anthropic-simulator.js';
export { cohereDialect, startCohereSimulator } from './cohere-simulator.js';
export { geminiDialect, startGeminiSimulator } from './gemini-simulator.js';
export { simulatedEmbedding, float32Base64 } from './simulated-embedding.js';
export { openAIEmbeddingDialect } from './openai-embedding-dialect.js';
export { geminiEmbeddingDialect } from './gemini-embedding-dialect.js';
export { cohereEmbeddingDialect } from './cohere-embedding-dialect.js';
